"""The quick integrity check, with nothing heavier than sqlite3 behind it.

Kept apart from the services so the app can start it on a thread before it has imported
its database layer: the check reads the whole file, in C, while Python imports the rest.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future
from contextlib import closing
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


def quick_check(path: Path) -> str | None:
    """None when the database looks whole (or does not exist yet), else a short reason."""
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return None  # nothing yet: the app creates it
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if not header:
        return None  # an empty file is how a new database starts
    if header != SQLITE_HEADER:
        return "not a database"
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        return _run_quick_check(path, immutable=False)
    # Without a -wal file every committed page is in the main file: read it as immutable, which
    # leaves no -wal/-shm behind. A writer that started meanwhile (its -wal appears) could have
    # shown that read a half-written page, so then the verdict is asked again the usual way.
    verdict = _run_quick_check(path, immutable=True)
    if verdict is not None and wal.exists():
        return _run_quick_check(path, immutable=False)
    return verdict


def _run_quick_check(path: Path, immutable: bool) -> str | None:
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            verdict = str(conn.execute("PRAGMA quick_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "not a database" in message:
            return "not a database"
        if "unable to open" in message:
            return f"unreadable: {message}"
        return f"damaged: {message}"
    if verdict == "ok":
        return None
    # SQLite heads its list with "*** in database main ***": the line after it says what.
    lines = [line for line in verdict.splitlines() if line and not line.startswith("***")]
    return f"damaged: {lines[0] if lines else verdict}"


def quick_check_soon(path: Path) -> Future[str | None]:
    """Start `quick_check` on its own thread; the future holds its verdict."""
    verdict: Future[str | None] = Future()

    def run() -> None:
        try:
            verdict.set_result(quick_check(path))
        except BaseException as exc:  # handed to whoever waits for the verdict
            verdict.set_exception(exc)

    threading.Thread(target=run, name="followthrough-check", daemon=True).start()
    return verdict
