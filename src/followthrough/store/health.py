"""Remembering that the database file was whole, so every write can be checked cheaply.

A quick check reads the whole file (about 300 ms for a 120 MB pipeline): too slow to run
before every command, too important to skip before a write, which would build on damage.
So the file's signature (size, modification time and inode of the database and its WAL)
is kept beside it after a check passed or after our own writes; a command that writes
runs the check again only when the file changed in some other way since (another program,
a sync tool, a disk error, a hand edit, the app itself). Losing the note costs one check.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MARKER = ".health.json"


def _signature(database: Path) -> list[list[int] | None]:
    found: list[list[int] | None] = []
    for path in (database, database.with_name(database.name + "-wal")):
        try:
            stat = path.stat()
        except OSError:
            found.append(None)
        else:
            found.append([stat.st_size, stat.st_mtime_ns, stat.st_ino])
    return found


def _marker(database: Path) -> Path:
    return database.with_name(MARKER)


def known_good(database: Path) -> bool:
    """Was the file, exactly as it is now, checked (or written by us) and found whole?"""
    try:
        noted = json.loads(_marker(database).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(noted, dict) and noted.get(database.name) == _signature(database)


def remember_good(database: Path) -> None:
    """Note the file as whole as it is now. Best effort: on a read-only folder or a full
    disk nothing is noted, and the next write checks the file again."""
    marker = _marker(database)
    temporary = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({database.name: _signature(database)}, handle)
        os.replace(temporary, marker)
    except OSError:
        temporary.unlink(missing_ok=True)
