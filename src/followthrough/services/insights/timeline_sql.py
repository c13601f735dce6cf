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
from followthrough.store.tables import EVENT

LeadId = ColumnElement[int]
Moment = ColumnElement[datetime]


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
    return _latest(e, e.c.kind, lead_id, moment, e.c.kind.in_(_sorted(STAGE_KINDS)))


def state_at(lead_id: LeadId, moment: Moment) -> ScalarSelect[Any]:
    """The state the latest move at or before `moment` went to; NULL: no move recorded."""
    e = EVENT.alias()
    to = func.json_extract(e.c.payload, "$.to")
    return _latest(e, to, lead_id, moment, e.c.kind == EventKind.STATE_CHANGE.value)


def decision_at(lead_id: LeadId, moment: Moment) -> ScalarSelect[Any]:
    """The decision the latest sent message asked for; NULL: none sent or none recorded."""
    e = EVENT.alias()
    decision = func.json_extract(e.c.payload, "$.decision")
    return _latest(e, decision, lead_id, moment, e.c.kind == SignalKind.SENT.value)


def unanswered_at(lead_id: LeadId, moment: Moment) -> ScalarSelect[Any]:
    """Our touches at or before `moment` since the buyer last answered (domain/signals.py)."""
    answer = EVENT.alias()
    answered = (
        select(func.max(answer.c.at))
        .where(
            answer.c.lead_id == lead_id,
            answer.c.at <= moment,
            or_(
                answer.c.kind == SignalKind.MEETING_HELD.value,
                and_(
                    answer.c.direction == Direction.IN.value,
                    answer.c.kind.in_(_sorted(ANSWER_KINDS)),
                ),
            ),
        )
        # Correlated two levels up, with the case's own row: not a FROM of its own.
        .correlate_except(answer)
        .scalar_subquery()
    )
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
            touch.c.kind.in_(_sorted(TOUCH_KINDS)),
        )
        .correlate_except(touch)
        .scalar_subquery()
    )


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
            e.c.kind.in_(_sorted(ENGAGEMENT_KINDS)),
        )
        .correlate_except(e)
        .scalar_subquery()
    )
