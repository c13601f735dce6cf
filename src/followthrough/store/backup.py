"""Consistent copies of the database with SQLite's online backup API (safe while in use)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from followthrough.errors import StorageError
from followthrough.store.integrity import quick_check
from followthrough.store.safefiles import (
    make_private_dir,
    publish,
    publish_unique,
    remove_empty_dirs,
    temp_beside,
)


def backup_database(source: Path, destination: Path, *, unique: bool = False) -> Path:
    """Copy `source` page by page to `destination`; returns where the copy went.

    The copy is written under a private temporary name (see safefiles), checked with
    `PRAGMA quick_check`, and only then named: a copy that fails the check is deleted and
    never called a backup. An existing `destination` is never overwritten: FileExistsError,
    or with `unique`, the next free name of its series (`name-2`...).
    """
    made = make_private_dir(destination.parent)
    try:
        with temp_beside(destination) as temp:
            with (
                closing(sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)) as src,
                closing(sqlite3.connect(temp.path)) as dst,
            ):
                src.backup(dst)
            verdict = quick_check(temp.path)
            if verdict is not None:
                raise StorageError(
                    f"the copy of {source} failed its check ({verdict}), so no backup was "
                    "made; the database itself may be damaged"
                )
            return publish_unique(temp, destination) if unique else publish(temp, destination)
    except BaseException:
        remove_empty_dirs(made)  # a failed first backup leaves no empty backups folder
        raise
