"""The board and Today read at start-up with the standard library alone.

Importing SQLAlchemy and SQLModel takes longer than reading the board, over half a second
on a slow machine. The window shows the person's pipeline from this read first, while the
database layer loads; the full session then takes over and reads again. The read never
writes, never creates the file, and steps aside (None) for anything unusual — no file yet, a
schema to migrate, a file that is not ours or is damaged — which the full open then handles
and explains (store/board_reads.py, `read_file_snapshot`).
"""

from __future__ import annotations

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
from followthrough.store.board_reads import BoardReader, read_file_snapshot


@dataclass(frozen=True)
class FirstLook:
    board: BoardSnapshot
    today: TodayAlerts


def first_look(
    path: Path, now: datetime, per_column: int = PAGE, today_limit: int = TODAY_SHOWN
) -> FirstLook | None:
    """The board (no search, no focus) and Today's top as stored at `path`; None to step aside."""

    def read(reader: BoardReader) -> FirstLook:
        board = board_snapshot(reader, None, per_column, None, now)
        return FirstLook(board, today_top(reader, today_limit))

    return read_file_snapshot(path, read)
