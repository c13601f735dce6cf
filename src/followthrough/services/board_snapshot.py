"""What the main window shows in one read: the columns, the counts, and the current lead.

One transaction, so the columns, the status bar's counts and the lead panel never disagree
about what is stored (a count read a moment after the columns could).
"""

from __future__ import annotations

from datetime import datetime

from followthrough.services.board_rows import PAGE, BoardSnapshot, FocusedLead, board_snapshot
from followthrough.services.clock import utcnow
from followthrough.store.db import Database, board_reader

__all__ = ["BoardSnapshot", "FocusedLead", "read_board"]


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
