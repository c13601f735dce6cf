"""Reading the board a page at a time: each column's count and its first cards, fast.

The desktop board never materialises a whole pipeline: a column shows its first page and
fetches the next as the list is scrolled. Every query here is answered from the board
indexes (see store/models.py), so the cost follows the page size, not the pipeline's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlmodel import Session

from followthrough.domain.momentum import momentum
from followthrough.domain.policy import Policy
from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.clock import utcnow
from followthrough.services.planning import load_policy
from followthrough.services.readmodels import LeadView
from followthrough.store.db import Database
from followthrough.store.models import BOARD_DATE_SQL, Lead

PAGE = 100  # a tall window shows about a dozen cards: a page covers several screens
# Repeats the index's expressions exactly, or SQLite sorts instead of walking the index.
_ORDER = f"({BOARD_DATE_SQL}) IS NULL, {BOARD_DATE_SQL}, name, id"
# Typed columns, so stored UTC texts come back as aware datetimes and tags as a list.
# Named in the SELECT too: typed text columns are matched by position, and a migrated
# table's columns need not be in the model's order.
LEAD_COLUMNS = tuple(Lead.__table__.columns)  # type: ignore[attr-defined]
SELECT_LEAD = "SELECT " + ", ".join(c.name for c in LEAD_COLUMNS) + " FROM lead"  # noqa: S608


@dataclass(frozen=True)
class ColumnPage:
    state: State
    total: int  # leads in the column (matching the search, if any)
    offset: int
    leads: tuple[LeadView, ...]


def search_needle(search: str | None) -> str | None:
    """What a search is matched with: the stored search key is casefolded and space-joined."""
    needle = " ".join((search or "").split()).casefold()
    return needle or None


def load_board(
    db: Database,
    search: str | None = None,
    per_column: int = PAGE,
    now: datetime | None = None,
    states: Iterable[State] = BOARD_STATES,
) -> dict[State, ColumnPage]:
    """Each column's count and first `per_column` cards, in one read transaction."""
    with db.read() as session:
        pages, _ = load_board_in(session, search, per_column, now or utcnow(), states)
        return pages


def load_board_in(
    session: Session,
    search: str | None,
    per_column: int,
    now: datetime,
    states: Iterable[State] = BOARD_STATES,
) -> tuple[dict[State, ColumnPage], str | None]:
    """The columns, read in the caller's transaction; and the search as it was matched."""
    needle = search_needle(search)
    wanted = list(states)
    conn = session.connection()
    policy = load_policy(session)
    totals = count_by_state(conn, wanted, needle)
    pages = {
        state: _page(conn, state, needle, 0, per_column, totals.get(state, 0), now, policy)
        for state in wanted
    }
    return pages, needle


def load_column_page(
    db: Database,
    state: State,
    search: str | None,
    offset: int,
    limit: int = PAGE,
    now: datetime | None = None,
) -> ColumnPage:
    """The next cards of one column, from `offset` on (the column scrolled to its end)."""
    now = now or utcnow()
    needle = search_needle(search)
    with db.read() as session:
        conn = session.connection()
        total = count_by_state(conn, [state], needle).get(state, 0)
        return _page(conn, state, needle, offset, limit, total, now, load_policy(session))


def search_clause(needle: str | None) -> str:
    """The WHERE term that keeps leads matching `:needle` (nothing without a search)."""
    # instr() rather than LIKE: no escaping of % and _, and a plain substring test.
    return " AND instr(search_key, :needle) > 0" if needle else ""


def count_by_state(
    conn: Connection, states: Sequence[State], needle: str | None
) -> dict[State, int]:
    """How many leads each state holds (matching the search); a state with none is left out."""
    marks = ", ".join(f":s{i}" for i in range(len(states)))
    params: dict[str, Any] = {f"s{i}": s.value for i, s in enumerate(states)}
    params["needle"] = needle
    rows = conn.execute(
        text(
            # Only placeholders and constants are spliced in; values are bound.
            f"SELECT state, count(*) FROM lead WHERE state IN ({marks}){search_clause(needle)} "  # noqa: S608
            "GROUP BY state"
        ),
        params,
    )
    return {State(state): count for state, count in rows}


def _page(
    conn: Connection,
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
    rows = (
        conn.execute(
            text(
                f"{SELECT_LEAD} WHERE state = :state{search_clause(needle)} "
                f"ORDER BY {_ORDER} LIMIT :limit OFFSET :offset"
            ).columns(*LEAD_COLUMNS),
            {"state": state.value, "needle": needle, "limit": limit, "offset": offset},
        )
        .mappings()
        .all()
    )
    counts = _open_alert_counts(conn, [row["id"] for row in rows])
    leads = tuple(
        LeadView.of_mapping(
            row,
            momentum(state, row["last_inbound_at"], row["state_since"], now, policy),
            counts.get(row["id"], 0),
        )
        for row in rows
    )
    return ColumnPage(state, total, offset, leads)


def lead_by_id(
    conn: Connection, lead_id: int, needle: str | None, now: datetime, policy: Policy
) -> tuple[LeadView | None, bool]:
    """One lead as a card shows it (None: no such lead), and whether it matches `needle`."""
    row = (
        conn.execute(text(f"{SELECT_LEAD} WHERE id = :id").columns(*LEAD_COLUMNS), {"id": lead_id})
        .mappings()
        .first()
    )
    if row is None:
        return None, False
    matches = True
    if needle is not None:
        found = conn.execute(
            # A constant clause is spliced in; the values are bound.
            text(f"SELECT 1 FROM lead WHERE id = :id{search_clause(needle)}"),  # noqa: S608
            {"id": lead_id, "needle": needle},
        ).first()
        matches = found is not None
    state = State(row["state"])
    lead = LeadView.of_mapping(
        row,
        momentum(state, row["last_inbound_at"], row["state_since"], now, policy),
        _open_alert_counts(conn, [lead_id]).get(lead_id, 0),
    )
    return lead, matches


def _open_alert_counts(conn: Connection, lead_ids: Sequence[int]) -> dict[int, int]:
    if not lead_ids:
        return {}
    # A page is at most a few hundred ids: well within SQLite's cap on bound variables.
    # `+status` keeps SQLite off the status index (thousands of open alerts in a backlog)
    # and on the lead_id one (a handful per lead).
    marks = ", ".join(f":i{n}" for n in range(len(lead_ids)))
    rows = conn.execute(
        text(
            f"SELECT lead_id, count(*) FROM alert WHERE +status = 'open' AND lead_id IN ({marks}) "  # noqa: S608
            "GROUP BY lead_id"
        ),
        {f"i{n}": lead_id for n, lead_id in enumerate(lead_ids)},
    )
    return {int(lead_id): int(count) for lead_id, count in rows}
