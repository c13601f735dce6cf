"""The week report's reads: the moves, next steps and stall alerts of a period, from SQL.

Every read starts from an index range over the period (`event(kind, at)` for the moves,
`alert(raised_at)` for the stalls) and reaches the rest of a lead's history through
correlated subqueries that seek `event(lead_id, at)` for that one lead: the cost follows the
rows inside the week, not the size of the database. The one exception is the lead table's
`next_step_due`, which has no index of its own; a range test over 100k narrow rows is a few
milliseconds, cheaper than a migration for this report alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from followthrough.domain.alerts import AlertRule
from followthrough.domain.period import Period
from followthrough.domain.signals import (
    ENGAGEMENT_KINDS,
    TOUCH_KINDS,
    Direction,
    EventKind,
    SignalKind,
)
from followthrough.domain.states import State
from followthrough.services.insights.timeline_sql import kind_off_index
from followthrough.store.event_facts import payload_fact
from followthrough.store.tables import ALERT, EVENT, LEAD
from followthrough.store.utc import utc_from_stored

# What keeps an agreed next step: we reached out (a touch), or we spoke with the buyer (a
# call either way, a meeting held), or the buyer wrote back.
KEPT_KINDS = frozenset({SignalKind.CALL, SignalKind.MEETING_HELD, SignalKind.REPLIED})
# A step done the day before it fell due is kept (the call made on the eve); an exchange a
# week earlier is the one that agreed the step, not the one that kept it.
KEPT_EARLY = "-1 day"

_REACTIVATED_TO = (State.HOT.value, State.WARM.value)
_SEP = "|"  # between a packed kind and time: in neither an event kind nor a stored time


@dataclass(frozen=True)
class Move:
    """One state change of a lead inside the period (its arrival excluded)."""

    lead_id: int
    name: str
    at: datetime
    source: str  # the state left
    target: str  # the state entered
    category: str | None  # a move to Lost/Recycle: its reason category
    text: str | None  # the free-text reason
    cause_kind: str | None  # the latest other event at or before the move
    cause_at: datetime | None
    entered_at: datetime | None  # when the lead entered the state it left
    engaged_at: datetime | None  # a reactivation: the buyer's first engagement since

    @property
    def reactivated(self) -> bool:
        return self.source == State.RECYCLE.value and self.target in _REACTIVATED_TO


@dataclass(frozen=True)
class NextStep:
    lead_id: int
    name: str
    step: str | None
    due: datetime
    state: str
    kept_at: datetime | None  # the first exchange that kept it, if any


@dataclass(frozen=True)
class StallRaised:
    lead_id: int
    name: str
    raised_at: datetime
    status: str


def read_moves(conn: Connection, period: Period) -> list[Move]:
    move = EVENT.alias("move")
    other = EVENT.alias("other")
    # The latest event at or before the move that is not itself a move: what preceded it.
    # "At" the move counts: a reply logged and acted on in the same minute caused the move.
    # Its kind and time come back packed in one string ("replied|2026-11-17 09:00:00.000000"):
    # one index seek per move instead of a second join on the row it found.
    cause = (
        select(other.c.kind.concat(_SEP).concat(other.c.at))
        .where(
            other.c.lead_id == move.c.lead_id,
            other.c.at <= move.c.at,
            kind_off_index(other) != EventKind.STATE_CHANGE.value,
        )
        .order_by(other.c.at.desc(), other.c.id.desc())
        .limit(1)
        .correlate(move)
        .scalar_subquery()
    )
    earlier = EVENT.alias("earlier")
    entered_at = (
        select(earlier.c.at)
        .where(
            earlier.c.lead_id == move.c.lead_id,
            kind_off_index(earlier) == EventKind.STATE_CHANGE.value,
            or_(
                earlier.c.at < move.c.at,
                and_(earlier.c.at == move.c.at, earlier.c.id < move.c.id),
            ),
        )
        .order_by(earlier.c.at.desc(), earlier.c.id.desc())
        .limit(1)
        .correlate(move)
        .scalar_subquery()
    )
    later = EVENT.alias("later")
    source = payload_fact(move, "from")
    target = payload_fact(move, "to")
    first_engagement = (
        select(func.min(later.c.at))
        .where(
            later.c.lead_id == move.c.lead_id,
            later.c.at > move.c.at,
            later.c.at < period.until,
            later.c.direction == Direction.IN.value,
            kind_off_index(later).in_(sorted(ENGAGEMENT_KINDS)),
        )
        .correlate(move)
        .scalar_subquery()
    )
    # CASE evaluates lazily in SQLite: only reactivations pay for the engagement lookup.
    engaged_at = case(
        (
            and_(source == State.RECYCLE.value, target.in_(_REACTIVATED_TO)),
            first_engagement,
        ),
        else_=literal(None),
    )
    query = (
        select(
            move.c.lead_id,
            LEAD.c.name,
            move.c.at,
            source,
            target,
            payload_fact(move, "category"),
            move.c.text,
            cause,
            entered_at,
            engaged_at,
        )
        .join(LEAD, LEAD.c.id == move.c.lead_id)
        .where(
            move.c.kind == EventKind.STATE_CHANGE.value,
            move.c.at >= period.since,
            move.c.at < period.until,
            source.is_not(None),  # a lead's arrival is not a move
        )
        .order_by(move.c.at, move.c.id)
    )
    moves = []
    for (
        lead_id,
        name,
        at,
        source,
        target,
        category,
        text,
        cause_text,
        entered,
        engaged,
    ) in conn.execute(query):
        cause_kind, _, cause_at = (cause_text or "").partition(_SEP)
        moves.append(
            Move(
                lead_id=lead_id,
                name=name,
                at=at,
                source=str(source),
                target=str(target),
                category=category if isinstance(category, str) else None,
                text=text,
                cause_kind=cause_kind or None,
                cause_at=_stored(cause_at or None),
                entered_at=_stored(entered),
                engaged_at=_stored(engaged),
            )
        )
    return moves


def _stored(value: object) -> datetime | None:
    """A subquery's time: SQLAlchemy types it from its column, but a CASE around it may hand
    back the stored text ("YYYY-MM-DD HH:MM:SS.ffffff"); either way an aware UTC time."""
    if value is None or isinstance(value, datetime):
        return value
    return utc_from_stored(str(value))


def read_next_steps(conn: Connection, period: Period) -> list[NextStep]:
    """Leads whose next step falls due inside the period, with what kept it.

    Kept: a touch we logged (direction out), a call, a meeting held or a reply, from one day
    before the due time (KEPT_EARLY) until the end of the period. Late but done within the
    week still counts as kept: the review asks whether the commitment was honoured.
    """
    exchange = EVENT.alias("exchange")
    kept_at = (
        select(func.min(exchange.c.at))
        .where(
            exchange.c.lead_id == LEAD.c.id,
            exchange.c.at >= func.datetime(LEAD.c.next_step_due, KEPT_EARLY),
            exchange.c.at < period.until,
            or_(
                and_(
                    kind_off_index(exchange).in_(sorted(TOUCH_KINDS)),
                    exchange.c.direction == Direction.OUT.value,
                ),
                kind_off_index(exchange).in_(sorted(KEPT_KINDS)),
            ),
        )
        .correlate(LEAD)
        .scalar_subquery()
    )
    query = (
        select(
            LEAD.c.id,
            LEAD.c.name,
            LEAD.c.next_step,
            LEAD.c.next_step_due,
            LEAD.c.state,
            kept_at,
        )
        .where(LEAD.c.next_step_due >= period.since, LEAD.c.next_step_due < period.until)
        .order_by(LEAD.c.next_step_due, LEAD.c.id)
    )
    return [
        NextStep(row[0], row[1], row[2], row[3], row[4], _stored(row[5]))
        for row in conn.execute(query)
    ]


def read_stalls(conn: Connection, period: Period) -> list[StallRaised]:
    query = (
        select(ALERT.c.lead_id, LEAD.c.name, ALERT.c.raised_at, ALERT.c.status)
        .join(LEAD, LEAD.c.id == ALERT.c.lead_id)
        .where(
            ALERT.c.raised_at >= period.since,
            ALERT.c.raised_at < period.until,
            ALERT.c.rule == AlertRule.STALL.value,
        )
        .order_by(ALERT.c.raised_at, ALERT.c.id)
    )
    return [StallRaised(*row) for row in conn.execute(query)]
