"""Is the database whole? A quick check before anything opens it, and the way back if not.

Everything here only reads: a damaged file is described and left exactly as it was, so the
person decides what replaces it.
"""

from __future__ import annotations

import shlex
import sqlite3
from contextlib import closing
from pathlib import Path

from followthrough.errors import FollowthroughError
from followthrough.paths import DataPaths
from followthrough.services.backups import BackupInfo, check_backup, list_backups

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


def newest_good_backup(paths: DataPaths) -> BackupInfo | None:
    """The newest backup that passes a full check; broken ones are passed over."""
    for info in list_backups(paths):
        try:
            check_backup(info.path)
        except FollowthroughError:
            continue
        return info
    return None


def damaged_message(paths: DataPaths, reason: str, command: str = "followthrough") -> str:
    """One line for the command line: what is wrong, and the command that repairs it.

    `command` is how the person calls the program for this data folder (with --data-dir
    when they named one), so the suggested restore goes to the same folder.
    """
    what = reason.removeprefix("damaged: ")
    said = f"the database in {paths.root} is damaged ({what}); nothing was changed"
    newest = newest_good_backup(paths)
    if newest is None:
        return f"{said}, and there is no good backup; run {command} doctor"
    return f"{said}. {restore_hint(newest, command)}"


def restore_hint(newest: BackupInfo | None, command: str = "followthrough") -> str:
    if newest is None:
        return f"There is no good backup; run {command} doctor"
    return f"Restore the newest good backup with: {command} restore {shlex.quote(str(newest.path))}"
