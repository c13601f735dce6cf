"""Reading a data folder's whole content, to prove a failed command wrote nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from followthrough.paths import DATABASE_NAME

TABLES = ("lead", "event", "alert", "template", "setting")


def database_rows(data_dir: Path) -> dict[str, list[tuple[object, ...]]] | None:
    """Every row of every table, or None when there is no database at all."""
    path = data_dir / DATABASE_NAME
    if not path.exists():
        return None
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def folder_listing(data_dir: Path) -> list[str]:
    if not data_dir.exists():
        return []
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*"))
