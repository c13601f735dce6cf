"""What the main window shows in one read: the columns, the counts, and the current lead.

One transaction, so the columns, the status bar's counts and the lead panel never disagree
about what is stored (a count read a moment after the columns could).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from followthrough.domain.states import BOARD_STATES, State
from followthrough.services import sample
from followthrough.services.board import (
    PAGE,
    ColumnPage,
    count_by_state,
    lead_by_id,
    load_board_in,
)
from followthrough.services.clock import utcnow
from followthrough.services.planning import load_policy
from followthrough.services.readmodels import LeadView
from followthrough.store.db import Database


@dataclass(frozen=True)
class FocusedLead:
    """Where the lead the person chose stands now."""

    lead_id: int
    lead: LeadView | None  # None: it no longer exists
    matches: bool  # it matches the search (always, without one)

    @property
    def absence(self) -> str | None:
        """Why it is not on the board as it is shown, in words; None when it is."""
        if self.lead is None:
            return "deleted"
        if self.lead.state not in BOARD_STATES:
            return f"marked {self.lead.state.label}"
        if not self.matches:
            return "hidden by the search"
        return None


@dataclass(frozen=True)
class BoardSnapshot:
    pages: dict[State, ColumnPage]  # the columns, filtered by the search
    stored: dict[State, int]  # every lead stored, by state, search or not
    has_sample: bool
    focus: FocusedLead | None

    @property
    def total(self) -> int:
        """Every lead stored, in any state: what an export holds."""
        return sum(self.stored.values())

    @property
    def on_board(self) -> int:
        return sum(self.stored.get(state, 0) for state in BOARD_STATES)

    @property
    def shown(self) -> int:
        return sum(page.total for page in self.pages.values())

    @property
    def first_run(self) -> bool:
        """Nothing stored at all: the explanation replaces the board."""
        return self.total == 0


def read_board(
    db: Database,
    search: str | None = None,
    per_column: int = PAGE,
    focus: int | None = None,
    now: datetime | None = None,
) -> BoardSnapshot:
    """The board's columns, every state's count, the sample flag and the focused lead."""
    now = now or utcnow()
    with db.read() as session:
        conn = session.connection()
        pages, needle = load_board_in(session, search, per_column, now)
        stored = count_by_state(conn, list(State), None)
        found: FocusedLead | None = None
        if focus is not None:
            found = _focused(session, focus, needle, now)
        return BoardSnapshot(pages, stored, sample.sample_loaded_in(session), found)


def _focused(session: Session, lead_id: int, needle: str | None, now: datetime) -> FocusedLead:
    # The board's own fast path (plain rows, indexed alert counts): this runs on every refresh.
    lead, matches = lead_by_id(session.connection(), lead_id, needle, now, load_policy(session))
    return FocusedLead(lead_id, lead, matches)
