"""Faults of the disk under the data folder, told for what they are.

A full disk reaches us in several shapes (sqlite3's "database or disk is full", an OSError
with ENOSPC, SQLAlchemy wrapping either); whichever it is, the person needs to hear that
the disk is full and which one, not that the database is damaged, and never a SQL dump.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from followthrough.errors import StorageError


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc`, what SQLAlchemy wrapped in it, and its causes: the driver's own error."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        wrapped = getattr(current, "orig", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__
    return found


def is_disk_full(exc: BaseException) -> bool:
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(cause, sqlite3.Error) and "disk is full" in str(cause):
            return True
    return False


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite failed on the file itself ("database disk image is malformed"), not on
    a lock or a full disk (those are its OperationalError), whether SQLAlchemy wrapped it."""
    # Imported here: the CLI imports this module before it knows it needs SQLAlchemy.
    from sqlalchemy.exc import DatabaseError

    cause = exc.orig if isinstance(exc, DatabaseError) else exc
    return isinstance(cause, sqlite3.DatabaseError) and not isinstance(
        cause, sqlite3.OperationalError
    )


def disk_full(folder: Path) -> StorageError:
    return StorageError(
        f"no space left on the disk that holds {folder}; free some space and try again"
    )


def storage_fault(exc: BaseException, folder: Path) -> StorageError | None:
    """The fault `exc` is, as the person should hear it; None when it is none of these."""
    if is_disk_full(exc):
        return disk_full(folder)
    return None
