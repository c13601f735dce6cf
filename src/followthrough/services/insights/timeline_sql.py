"""What a lead's timeline said at one moment, as correlated scalar subqueries.

The reports ask, for each case in their period (an alert, a move), what the lead's state,
stage or unanswered count was at that moment. Each question is one seek on the event index
(lead_id, at) walking back from the moment, so a report costs a few index seeks per case in
its period, whatever the size of the whole history.

Each subquery reads its own alias of the event table: one built on the bare table would be
correlated with an enclosing query over events, and silently answer the wrong question.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    and_,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.selectable import NamedFromClause

from followthrough.domain.signals import (
    ANSWER_KINDS,
    ENGAGEMENT_KINDS,
    TOUCH_KINDS,
    Direction,
    EventKind,
    SignalKind,
)
from followthrough.domain.stages import STAGE_KINDS
from followthrough.store.event_facts import payload_fact
from followthrough.store.tables import EVENT, LEAD

LeadId = ColumnElement[int]
Moment = ColumnElement[datetime]


def kind_off_index(e: Any) -> ColumnElement[str]:
    """The event's kind as `+kind`, which SQLite cannot look up in an index.

    Without statistics SQLite takes a test on the kind for the better bet and walks the
    (kind, at) index: every `sent` before the moment, of every lead, for each case (seconds
    on a large pipeline). Kept off that index, it seeks (lead_id, at) and reads the lead's
    own few events.
    """
    return UnaryExpression(e.c.kind, operator=operators.custom_op("+"), type_=e.c.kind.type)


def _sorted(kinds: frozenset[str]) -> list[str]:
    return sorted(str(kind) for kind in kinds)


def _latest(
    e: NamedFromClause, value: Any, lead_id: LeadId, moment: Moment, *where: Any
) -> ScalarSelect[Any]:
    """`value` of the lead's latest event (alias `e`) at or before `moment` meeting `where`."""
    return (
        select(value)
        .where(e.c.lead_id == lead_id, e.c.at <= moment, *where)
        .order_by(e.c.at.desc(), e.c.id.desc())
        .limit(1)
        .correlate_except(e)
        .scalar_subquery()
    )


def stage_kind_at(lead_id: LeadId, moment: Moment) -> ScalarSelect[Any]:
    """The kind of the latest stage-setting signal (domain/stages.py); NULL: first contact."""
    e = EVENT.alias()
    return _latest(e, e.c.kind, lead_id, moment, kind_off_index(e).in_(_sorted(STAGE_KINDS)))


def state_at(lead_id: LeadId, moment: Moment) -> ScalarSelect[Any]:
    """The state the lead was in at `moment`, read forward: the state its first move after
    `moment` left (`from`). NULL: no move since, so the lead's current state (the caller's
    COALESCE). Every move records the state it left, so this is the state the latest move at
    or before `moment` went to; read forward it walks the few events since the moment
    rather than the whole history before it.
    """
    e = EVENT.alias()
    return (
        select(payload_fact(e, "from"))
        .where(
            e.c.lead_id == lead_id,
            e.c.at > moment,
            kind_off_index(e) == EventKind.STATE_CHANGE.value,
        )
        .order_by(e.c.at, e.c.id)
        .limit(1)
        .correlate_except(e)
        .scalar_subquery()
    )


def decision_at(lead_id: LeadId, moment: Moment) -> ScalarSelect[Any]:
    """The decision the latest sent message asked for; NULL: none sent or none recorded."""
    e = EVENT.alias()
    decision = payload_fact(e, "decision")
    return _latest(e, decision, lead_id, moment, kind_off_index(e) == SignalKind.SENT.value)


def unanswered_at(lead_id: LeadId, moment: Moment) -> ScalarSelect[Any]:
    """Our touches at or before `moment` since the buyer last answered (domain/signals.py)."""
    answer = EVENT.alias()
    is_answer = or_(
        kind_off_index(answer) == SignalKind.MEETING_HELD.value,
        and_(
            answer.c.direction == Direction.IN.value,
            kind_off_index(answer).in_(_sorted(ANSWER_KINDS)),
        ),
    )
    # Walked back from the moment, stopping at the first answer.
    answered = _latest(answer, answer.c.at, lead_id, moment, is_answer)
    touch = EVENT.alias()
    return (
        select(func.count())
        .select_from(touch)
        .where(
            touch.c.lead_id == lead_id,
            touch.c.at <= moment,
            # '' sorts before every stored time: no answer yet counts every touch.
            touch.c.at > func.coalesce(answered, literal_column("''")),
            touch.c.direction == Direction.OUT.value,
            kind_off_index(touch).in_(_sorted(TOUCH_KINDS)),
        )
        .correlate_except(touch)
        .scalar_subquery()
    )


def standing_at(lead_id: LeadId, moment: Moment) -> dict[str, Any]:
    """How the lead stood at `moment`, read from its timeline, by the alert column that keeps
    each (store/models.Alert.raised_*): what the silence report reads for an alert that kept
    nothing, and what fill_missing_facts writes into it."""
    lead = LEAD.alias()
    current = select(lead.c.state).where(lead.c.id == lead_id).scalar_subquery()
    return {
        "raised_state": func.coalesce(state_at(lead_id, moment), current),
        "raised_stage_signal": stage_kind_at(lead_id, moment),
        "raised_unanswered": unanswered_at(lead_id, moment),
        "raised_decision": decision_at(lead_id, moment),
    }


def first_engagement_between(lead_id: LeadId, after: Moment, before: datetime) -> ScalarSelect[Any]:
    """When the buyer first engaged strictly after `after` and before `before`; NULL: not."""
    e = EVENT.alias()
    return (
        select(func.min(e.c.at))
        .where(
            e.c.lead_id == lead_id,
            e.c.at > after,
            e.c.at < before,
            e.c.direction == Direction.IN.value,
            kind_off_index(e).in_(_sorted(ENGAGEMENT_KINDS)),
        )
        .correlate_except(e)
        .scalar_subquery()
    )
