"""The board's and Today's reads, as plain SQL on SQLite's own connection.

One implementation serves two callers: the running app, which passes the connection of its
SQLAlchemy session (so these reads join the session's transaction), and the first look at
start-up (services/first_look.py), which opens the file with the standard library while
SQLAlchemy is still being imported. That is why this module imports nothing but the
standard library, the domain and the plain views: importing SQLAlchemy and SQLModel costs
more than half a second on a slow machine, longer than the whole read.

Every query here is answered from the board indexes (see store/models.py), so the cost
follows the page size, not the pipeline's.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from followthrough.domain.alerts import AlertKind, AlertStatus
from followthrough.domain.leadfields import fold
from followthrough.domain.momentum import momentum
from followthrough.domain.policy import Policy
from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.readmodels import AlertView, LeadView
from followthrough.store.board_sql import BOARD_DATE_SQL
from followthrough.store.setting_keys import POLICY_KEY, SAMPLE_KEY
from followthrough.store.utc import utc_from_stored

PAGE = 100  # a tall window shows about a dozen cards: a page covers several screens
TODAY_SHOWN = 200  # Today lists the most urgent; the rest are counted

# Most urgent first: the buyer is acting now, then promises we made, then silences.
URGENCY = {
    AlertKind.TRIGGER: 0,
    AlertKind.DUE: 1,
    AlertKind.SILENCE: 2,
    AlertKind.GUARD: 3,
    AlertKind.STALL: 4,
    AlertKind.REACTIVATE: 5,
}

# A literal, not a bound value: the planner then knows which status the index is asked for.
_OPEN = f"'{AlertStatus.OPEN}'"

# Repeats the index's expressions exactly, or SQLite sorts instead of walking the index.
_ORDER = f"({BOARD_DATE_SQL}) IS NULL, {BOARD_DATE_SQL}, name, id"


def _stored_fields(view: type[Any], computed: set[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """A view's stored columns, in its own order, and which of them hold times."""
    names = tuple(f.name for f in fields(view) if f.name not in computed)
    times = frozenset(f.name for f in fields(view) if str(f.type).startswith("datetime"))
    return names, times


LEAD_FIELDS, LEAD_TIMES = _stored_fields(LeadView, {"momentum", "open_alerts"})
ALERT_FIELDS, ALERT_TIMES = _stored_fields(AlertView, {"lead_name"})
SELECT_LEAD = "SELECT " + ", ".join(LEAD_FIELDS) + " FROM lead"  # noqa: S608
_SELECT_ALERT = ", ".join(f"alert.{name}" for name in ALERT_FIELDS)
_URGENCY_SQL = (
    "CASE alert.kind "
    + " ".join(f"WHEN '{kind.value}' THEN {rank}" for kind, rank in URGENCY.items())
    + " ELSE 9 END, coalesce(alert.due_at, alert.raised_at), alert.id"
)


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


def search_clause(needle: str | None) -> str:
    """The WHERE term that keeps leads matching `:needle` (nothing without a search)."""
    # instr() rather than LIKE: no escaping of % and _, and a plain substring test.
    return " AND instr(search_key, :needle) > 0" if needle else ""


def _typed(names: Sequence[str], times: frozenset[str], row: Sequence[Any]) -> dict[str, Any]:
    values = dict(zip(names, row, strict=True))
    for name in times:
        if values.get(name) is not None:
            values[name] = utc_from_stored(values[name])
    return values


def lead_view(
    row: Sequence[Any],
    open_alerts: int = 0,
    now: datetime | None = None,
    policy: Policy | None = None,
) -> LeadView:
    """A row of SELECT_LEAD as a card shows it; with `now` and `policy`, its momentum."""
    values = _typed(LEAD_FIELDS, LEAD_TIMES, row)
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


def read_policy(conn: sqlite3.Connection) -> Policy:
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (POLICY_KEY,)).fetchone()
    return Policy.from_stored(json.loads(row[0]) if row and row[0] is not None else None)


def sample_loaded(conn: sqlite3.Connection) -> bool:
    """Is the sample pipeline there?"""
    found = conn.execute("SELECT 1 FROM setting WHERE key = ?", (SAMPLE_KEY,)).fetchone()
    return found is not None


def count_by_state(
    conn: sqlite3.Connection, states: Sequence[State], needle: str | None
) -> dict[State, int]:
    """How many leads each state holds (matching the search); a state with none is left out."""
    marks = ", ".join(f":s{i}" for i in range(len(states)))
    params: dict[str, Any] = {f"s{i}": s.value for i, s in enumerate(states)}
    params["needle"] = needle
    rows = conn.execute(
        # Only placeholders and constants are spliced in; values are bound.
        f"SELECT state, count(*) FROM lead WHERE state IN ({marks}){search_clause(needle)} "  # noqa: S608
        "GROUP BY state",
        params,
    )
    return {State(state): count for state, count in rows}


def column_page(
    conn: sqlite3.Connection,
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
    rows = conn.execute(
        f"{SELECT_LEAD} WHERE state = :state{search_clause(needle)} "
        f"ORDER BY {_ORDER} LIMIT :limit OFFSET :offset",
        {"state": state.value, "needle": needle, "limit": limit, "offset": offset},
    ).fetchall()
    counts = open_alert_counts(conn, [row[0] for row in rows])
    leads = tuple(lead_view(row, counts.get(row[0], 0), now, policy) for row in rows)
    return ColumnPage(state, total, offset, leads)


def lead_by_id(
    conn: sqlite3.Connection, lead_id: int, needle: str | None, now: datetime, policy: Policy
) -> tuple[LeadView | None, bool]:
    """One lead as a card shows it (None: no such lead), and whether it matches `needle`."""
    row = conn.execute(f"{SELECT_LEAD} WHERE id = ?", (lead_id,)).fetchone()
    if row is None:
        return None, False
    matches = True
    if needle is not None:
        found = conn.execute(
            # A constant clause is spliced in; the values are bound.
            f"SELECT 1 FROM lead WHERE id = :id{search_clause(needle)}",  # noqa: S608
            {"id": lead_id, "needle": needle},
        ).fetchone()
        matches = found is not None
    alerts = open_alert_counts(conn, [lead_id]).get(lead_id, 0)
    return lead_view(row, alerts, now, policy), matches


def open_alert_counts(conn: sqlite3.Connection, lead_ids: Sequence[int]) -> dict[int, int]:
    if not lead_ids:
        return {}
    # A page is at most a few hundred ids: well within SQLite's cap on bound variables.
    # `+status` keeps SQLite off the status index (thousands of open alerts in a backlog)
    # and on the lead_id one (a handful per lead).
    marks = ", ".join("?" * len(lead_ids))
    rows = conn.execute(
        f"SELECT lead_id, count(*) FROM alert WHERE +status = {_OPEN} AND lead_id IN ({marks}) "  # noqa: S608
        "GROUP BY lead_id",
        tuple(lead_ids),
    )
    return {int(lead_id): int(count) for lead_id, count in rows}


def board_snapshot(
    conn: sqlite3.Connection,
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
    policy = read_policy(conn)
    totals = count_by_state(conn, list(BOARD_STATES), needle)
    pages = {
        state: column_page(conn, state, needle, 0, per_column, totals.get(state, 0), now, policy)
        for state in BOARD_STATES
    }
    stored = count_by_state(conn, list(State), None)
    found: FocusedLead | None = None
    if focus is not None:
        lead, matches = lead_by_id(conn, focus, needle, now, policy)
        found = FocusedLead(focus, lead, matches)
    return BoardSnapshot(pages, stored, sample_loaded(conn), found)


def today_top(conn: sqlite3.Connection, limit: int = TODAY_SHOWN) -> TodayAlerts:
    """The most urgent open alerts and how many are open.

    A backlog after a long absence can hold thousands, and this is read when the window
    opens: the top is chosen from the alerts' ids alone, and only those rows are read whole
    and joined to their leads.
    """
    (total,) = conn.execute(f"SELECT count(*) FROM alert WHERE status = {_OPEN}").fetchone()  # noqa: S608
    rows = conn.execute(
        f"SELECT {_SELECT_ALERT}, lead.name FROM alert JOIN lead ON lead.id = alert.lead_id "  # noqa: S608
        f"WHERE alert.id IN (SELECT alert.id FROM alert WHERE status = {_OPEN} "
        f"ORDER BY {_URGENCY_SQL} LIMIT ?) ORDER BY {_URGENCY_SQL}",
        (limit,),
    )
    views = tuple(
        AlertView.stored(**_typed(ALERT_FIELDS, ALERT_TIMES, row[:-1]), lead_name=row[-1])
        for row in rows
    )
    return TodayAlerts(int(total), views)
