"""Noticing writes made by another process (the CLI) to the same database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class ChangeWatch:
    """`PRAGMA data_version` on a private read-only connection changes whenever any *other*
    connection commits: one cheap query tells whether the data moved under us."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._seen = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        version = self._version()
        moved, self._seen = version != self._seen, version
        return moved

    def close(self) -> None:
        self._conn.close()
