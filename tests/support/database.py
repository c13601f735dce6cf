"""The database as other parties see it: another writer holding the lock, and the threads
the app opens its sessions on."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

from followthrough.store.db import Database


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another writer (a command, a second app) in the middle of its transaction."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


def record_session_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the name of the thread of every read or write session opened, in order."""
    used_on: list[str] = []
    for name in ("read", "write"):
        opened = getattr(Database, name)

        def noted(self: Database, opened: Any = opened) -> Any:
            used_on.append(threading.current_thread().name)
            return opened(self)

        monkeypatch.setattr(Database, name, noted)
    return used_on
