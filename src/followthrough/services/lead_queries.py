"""Reading leads: get one with its timeline, list and search, resolve what a user typed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.bounds import record_id
from followthrough.domain.leadfields import fold
from followthrough.domain.momentum import momentum
from followthrough.domain.states import BOARD_STATES, State
from followthrough.errors import Ambiguous, NotFound
from followthrough.services.clock import utcnow
from followthrough.services.policy import load_policy
from followthrough.services.readmodels import EventView, LeadDetail, LeadView
from followthrough.store.db import Database
from followthrough.store.models import Alert, Event, Lead

_STATE_ORDER = case({s.value: i for i, s in enumerate(State)}, value=col(Lead.state), else_=99)
# The date that matters in a column: when the next step is due, or, parked, when to come back.
_COLUMN_DATE = case(
    (col(Lead.state) == State.RECYCLE.value, col(Lead.recycle_until)),
    else_=col(Lead.next_step_due),
)
AMBIGUOUS_SHOWN = 8


def lead_views(session: Session, rows: Sequence[Lead], now: datetime) -> list[LeadView]:
    """Read models with what depends on the moment of reading: momentum, open alerts."""
    policy = load_policy(session)
    counts: dict[int, int] = {}
    if rows:
        # Counted over all open alerts (few, and indexed by status) rather than binding every
        # listed id: SQLite caps bound variables (32,766 in standard builds), and a board
        # of 80k leads would pass it.
        query = select(Alert.lead_id, func.count()).where(Alert.status == AlertStatus.OPEN)
        if len(rows) == 1:
            query = query.where(Alert.lead_id == rows[0].id)
        counts = dict(session.exec(query.group_by(col(Alert.lead_id))).all())
    return [
        LeadView.of(
            row,
            momentum(State(row.state), row.last_inbound_at, row.state_since, now, policy),
            counts.get(row.id or 0, 0),
        )
        for row in rows
    ]


def get_lead(db: Database, lead_id: int, now: datetime | None = None) -> LeadDetail:
    now = now or utcnow()
    with db.read() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        events = session.exec(
            select(Event)
            .where(Event.lead_id == lead_id)
            .order_by(col(Event.at).desc(), col(Event.id).desc())
        ).all()
        view = lead_views(session, [lead], now)[0]
        return LeadDetail(view, tuple(EventView.of(e) for e in events))


def _like_pattern(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_leads(
    db: Database,
    states: Iterable[State] = BOARD_STATES,
    search: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
    by_momentum: bool = False,
) -> list[LeadView]:
    """Leads in the given states, matching `search` in name, company, e-mail or a tag.

    Ordered as the board reads: by state, then the soonest due next step, then name; or,
    `by_momentum`, strongest momentum first (states without momentum last).
    """
    now = now or utcnow()
    query = select(Lead).where(col(Lead.state).in_([s.value for s in states]))
    if search and search.strip():
        query = query.where(col(Lead.search_key).like(_like_pattern(search.strip()), escape="\\"))
    query = query.order_by(
        _STATE_ORDER,
        _COLUMN_DATE.is_(None),
        _COLUMN_DATE,
        col(Lead.name),
        col(Lead.id),
    )
    if limit is not None:
        query = query.limit(limit)
    with db.read() as session:
        views = lead_views(session, session.exec(query).all(), now)
    if by_momentum:
        views.sort(key=lambda v: -1.0 if v.momentum is None else v.momentum, reverse=True)
    return views


def resolve_lead(db: Database, ref: str) -> LeadView:
    """Find the one lead a user means by an id, an exact e-mail, or part of a name.

    Several names matching is an error listing them, unless exactly one matches in full.
    """
    text = " ".join(ref.split())
    if not text:
        raise NotFound("name a lead by its id, its e-mail or part of its name")
    with db.read() as session:
        lead_id = record_id(text, "lead")
        if lead_id is not None:
            lead = session.get(Lead, lead_id)
            if lead is None:
                raise NotFound(f"no lead with id {lead_id}")
            return LeadView.of(lead)
        if "@" in text:
            lead = session.exec(select(Lead).where(Lead.email_key == text.casefold())).first()
            if lead is None:
                raise NotFound(f"no lead with the e-mail {text}")
            return LeadView.of(lead)
        wanted = fold(text)
        # search_key narrows in SQL; the name test in Python is the real check.
        rows = session.exec(
            select(Lead)
            .where(col(Lead.search_key).like(_like_pattern(wanted), escape="\\"))
            .order_by(col(Lead.id))
        ).all()
    matches = [LeadView.of(r) for r in rows if wanted in fold(r.name)]
    if len(matches) > 1:
        exact = [m for m in matches if fold(m.name) == wanted]
        if len(exact) == 1:
            return exact[0]
    if not matches:
        raise NotFound(f"no lead's name contains '{text}'")
    if len(matches) > 1:
        shown = ", ".join(m.label for m in matches[:AMBIGUOUS_SHOWN])
        more = len(matches) - AMBIGUOUS_SHOWN
        tail = f" and {more} more" if more > 0 else ""
        raise Ambiguous(
            f"'{text}' matches {len(matches)} leads: {shown}{tail}; name one by its id",
            [m.label for m in matches],
        )
    return matches[0]
