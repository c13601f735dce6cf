"""Reading a data folder's whole content, to prove a failed command wrote nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from followthrough.paths import DATABASE_NAME

Rows = dict[str, list[tuple[object, ...]]]


def table_names(conn: sqlite3.Connection) -> list[str]:
    """Every table the file holds, read from the file itself: a table a migration adds is
    compared from then on without anyone listing it. SQLite's own (sqlite_stat1, ...) are
    left out: PRAGMA optimize may refresh them whatever the app did."""
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return sorted(name for (name,) in conn.execute(query))


def file_rows(path: Path) -> Rows:
    """Every row of every table of the SQLite file at `path`, read straight from the file."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        return {
            t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in table_names(conn)
        }


def database_rows(data_dir: Path) -> Rows | None:
    """Every row of every table, or None when there is no database at all."""
    path = data_dir / DATABASE_NAME
    if not path.exists():
        return None
    return file_rows(path)


def folder_listing(data_dir: Path) -> list[str]:
    if not data_dir.exists():
        return []
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*"))
