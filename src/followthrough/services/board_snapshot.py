"""What the main window shows in one read: the columns, the counts, Today, and the current lead.

One transaction, so the columns, the status bar's counts, Today and the lead panel never
disagree about what is stored (a count read a moment after the columns could, and an alert
done in between would still show in Today beside a card that lost its badge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from followthrough.services.board_rows import (
    PAGE,
    TODAY_SHOWN,
    BoardSnapshot,
    FocusedLead,
    TodayAlerts,
    board_snapshot,
    today_top,
)
from followthrough.services.clock import utcnow
from followthrough.services.timeline import LeadTimeline, read_timeline
from followthrough.store.db import Database, board_reader

__all__ = ["BoardSnapshot", "FocusedLead", "WindowRead", "read_board", "read_window"]


@dataclass(frozen=True)
class WindowRead:
    """Everything the main window shows after a change, as of one moment."""

    board: BoardSnapshot
    today: TodayAlerts
    lead: LeadTimeline | None  # the focused lead's details, while it is on the board


def read_board(
    db: Database,
    search: str | None = None,
    per_column: int = PAGE,
    focus: int | None = None,
    now: datetime | None = None,
) -> BoardSnapshot:
    """The board's columns, every state's count, the sample flag and the focused lead."""
    with db.read() as session:
        return board_snapshot(board_reader(session), search, per_column, focus, now or utcnow())


def read_window(
    db: Database,
    search: str | None = None,
    per_column: int = PAGE,
    focus: int | None = None,
    now: datetime | None = None,
    today_limit: int = TODAY_SHOWN,
) -> WindowRead:
    """The board (as `read_board`), Today's most urgent alerts, and the focused lead's
    details and timeline when it is on the board (else the panel says why it is not)."""
    now = now or utcnow()
    with db.read() as session:
        reader = board_reader(session)
        board = board_snapshot(reader, search, per_column, focus, now)
        today = today_top(reader, today_limit)
        shown = board.focus
        lead = None
        if shown is not None and shown.absence is None:
            lead = read_timeline(session, shown.lead_id, now)
        return WindowRead(board, today, lead)
