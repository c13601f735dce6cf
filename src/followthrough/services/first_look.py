"""The board and Today read at start-up with the standard library alone.

Importing SQLAlchemy and SQLModel takes longer than reading the board, over half a second
on a slow machine. The window shows the person's pipeline from this read first, while the
database layer loads; the full session then takes over and reads again. The read never
writes (`query_only`), never creates the file, and steps aside (None) for anything unusual
— no file yet, a schema to migrate, a file that is not ours or is damaged — which the full
open then handles and explains.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from followthrough.services.board_rows import (
    PAGE,
    TODAY_SHOWN,
    BoardSnapshot,
    TodayAlerts,
    board_snapshot,
    today_top,
)
from followthrough.store.migrate import SCHEMA_HEAD

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FirstLook:
    board: BoardSnapshot
    today: TodayAlerts


def first_look(
    path: Path, now: datetime, per_column: int = PAGE, today_limit: int = TODAY_SHOWN
) -> FirstLook | None:
    """The board (no search, no focus) and Today's top as stored at `path`; None to step aside."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        # mode=rw: a missing file is an error here, never a new empty database.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    except (OSError, sqlite3.Error):
        return None
    try:
        with closing(conn):
            conn.execute("PRAGMA query_only=ON")
            conn.execute("BEGIN")  # one snapshot: the counts agree with the columns
            if _revision(conn) != SCHEMA_HEAD:
                return None
            board = board_snapshot(conn, None, per_column, None, now)
            today = today_top(conn, today_limit)
            conn.execute("ROLLBACK")
            return FirstLook(board, today)
    except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
        log.info("start-up read stepped aside: %s", type(exc).__name__)
        return None


def _revision(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if row is None:
        return None
    found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(found[0]) if found else None
