"""The board's and Today's views, from the plain-SQL reads in store/board_reads.py.

One implementation serves two callers: the running app, which reads in its SQLAlchemy
session's transaction (services/board.py), and the first look at start-up
(services/first_look.py), which reads the file with the standard library while SQLAlchemy is
still being imported. That is why this module imports nothing but the standard library, the
domain, the plain views and the store's plain-SQL reads: importing SQLAlchemy and SQLModel
costs more than half a second on a slow machine, longer than the whole read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthrough.domain.leadfields import fold
from followthrough.domain.momentum import momentum
from followthrough.domain.policy import Policy
from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.readmodels import AlertView, LeadView
from followthrough.store.board_reads import BoardReader
from followthrough.store.setting_keys import POLICY_KEY, SAMPLE_KEY

PAGE = 100  # a tall window shows about a dozen cards: a page covers several screens
TODAY_SHOWN = 200  # Today lists the most urgent; the rest are counted


@dataclass(frozen=True)
class ColumnPage:
    state: State
    total: int  # leads in the column (matching the search, if any)
    offset: int
    leads: tuple[LeadView, ...]


@dataclass(frozen=True)
class TodayAlerts:
    total: int  # open alerts in all
    alerts: tuple[AlertView, ...]  # the most urgent of them, in order


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


def search_needle(search: str | None) -> str | None:
    """What a search is matched with: the stored search key is casefolded and space-joined."""
    needle = fold(" ".join((search or "").split()))
    return needle or None


def lead_view(
    values: dict[str, Any],
    open_alerts: int = 0,
    now: datetime | None = None,
    policy: Policy | None = None,
) -> LeadView:
    """A stored lead (store/board_reads.py) as a card shows it; with `now` and `policy`,
    its momentum."""
    state = State(values.pop("state"))
    tags = values.pop("tags")
    moving = None
    if now is not None and policy is not None:
        moving = momentum(state, values["last_inbound_at"], values["state_since"], now, policy)
    return LeadView(
        **values,
        state=state,
        tags=tuple(json.loads(tags) if isinstance(tags, str) else tags or ()),
        momentum=moving,
        open_alerts=open_alerts,
    )


def read_policy(reader: BoardReader) -> Policy:
    return Policy.from_stored(reader.setting(POLICY_KEY))


def sample_loaded(reader: BoardReader) -> bool:
    """Is the sample pipeline there?"""
    return reader.has_setting(SAMPLE_KEY)


def count_by_state(
    reader: BoardReader, states: Sequence[State], needle: str | None
) -> dict[State, int]:
    """How many leads each state holds (matching the search); a state with none is left out."""
    counts = reader.count_by_state([state.value for state in states], needle)
    return {State(state): count for state, count in counts.items()}


def column_page(
    reader: BoardReader,
    state: State,
    needle: str | None,
    offset: int,
    limit: int,
    total: int,
    now: datetime,
    policy: Policy,
) -> ColumnPage:
    if limit <= 0 or offset >= total:
        return ColumnPage(state, total, offset, ())
    rows = reader.column_rows(state.value, needle, offset, limit)
    counts = reader.open_alert_counts([row["id"] for row in rows])
    leads = tuple(lead_view(row, counts.get(row["id"], 0), now, policy) for row in rows)
    return ColumnPage(state, total, offset, leads)


def lead_by_id(
    reader: BoardReader, lead_id: int, needle: str | None, now: datetime, policy: Policy
) -> tuple[LeadView | None, bool]:
    """One lead as a card shows it (None: no such lead), and whether it matches `needle`."""
    row = reader.lead(lead_id)
    if row is None:
        return None, False
    matches = needle is None or reader.lead_matches(lead_id, needle)
    alerts = reader.open_alert_counts([lead_id]).get(lead_id, 0)
    return lead_view(row, alerts, now, policy), matches


def board_snapshot(
    reader: BoardReader,
    search: str | None,
    per_column: int,
    focus: int | None,
    now: datetime,
) -> BoardSnapshot:
    """The columns, every state's count, the sample flag and the focused lead.

    Read in the caller's transaction, so the columns, the status bar's counts and the lead
    panel never disagree about what is stored.
    """
    needle = search_needle(search)
    policy = read_policy(reader)
    totals = count_by_state(reader, list(BOARD_STATES), needle)
    pages = {
        state: column_page(reader, state, needle, 0, per_column, totals.get(state, 0), now, policy)
        for state in BOARD_STATES
    }
    stored = count_by_state(reader, list(State), None)
    found: FocusedLead | None = None
    if focus is not None:
        lead, matches = lead_by_id(reader, focus, needle, now, policy)
        found = FocusedLead(focus, lead, matches)
    return BoardSnapshot(pages, stored, sample_loaded(reader), found)


def today_top(reader: BoardReader, limit: int = TODAY_SHOWN) -> TodayAlerts:
    """The most urgent open alerts and how many are open.

    A backlog after a long absence can hold thousands, and this is read when the window
    opens: see BoardReader.most_urgent_alerts.
    """
    total = reader.open_alert_total()
    views = tuple(
        AlertView.stored(**row, lead_name=name) for row, name in reader.most_urgent_alerts(limit)
    )
    return TodayAlerts(total, views)
