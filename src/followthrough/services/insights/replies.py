"""The SQL the outcome reports share: "the buyer's first answer after a moment", "our first
touch after a moment", "the lead's state at a moment", and durations between stored times.

Each is a correlated scalar subquery over another alias of the event table, keyed on the
outer row's lead and time, so SQLite answers it with a short forward (or backward) walk of
the `event(lead_id, at)` index from that moment: the cost is per row of the period, never
per row of the whole history. Our touches keep both answers (services/touch_facts.py), so
for them the walk is only the fallback for touches written before they were kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.sql.selectable import ScalarSelect

from followthrough.domain.signals import ANSWER_KINDS, TOUCH_KINDS, Direction, SignalKind
from followthrough.services.insights.timeline_sql import kind_off_index, state_at
from followthrough.store.tables import EVENT, LEAD

DAY_SECONDS = 86400.0


def is_answer_sql(event: Any, walk: bool = False) -> ColumnElement[bool]:
    """domain/signals.is_answer, as SQL over an event alias; `walk` for a lookup inside one
    lead's timeline, which must not take the (kind, at) index (timeline_sql.kind_off_index)."""
    kind = kind_off_index(event) if walk else event.c.kind
    return or_(
        kind == SignalKind.MEETING_HELD.value,
        and_(
            event.c.direction == Direction.IN.value,
            kind.in_(sorted(k.value for k in ANSWER_KINDS)),
        ),
    )


def is_touch_sql(event: Any, walk: bool = False) -> ColumnElement[bool]:
    """domain/signals.is_touch, as SQL over an event alias (`walk`: as for is_answer_sql)."""
    kind = kind_off_index(event) if walk else event.c.kind
    return and_(
        event.c.direction == Direction.OUT.value,
        kind.in_(sorted(k.value for k in TOUCH_KINDS)),
    )


def _first_after(
    condition: Any, lead_id: Any, moment: Any, before: Any | None
) -> ScalarSelect[Any]:
    later = EVENT.alias()
    query: Select[Any] = select(later.c.at).where(
        later.c.lead_id == lead_id, later.c.at > moment, condition(later, True)
    )
    if before is not None:
        query = query.where(later.c.at < before)
    return query.order_by(later.c.at).limit(1).scalar_subquery()


def first_answer_after(lead_id: Any, moment: Any, before: Any | None = None) -> ScalarSelect[Any]:
    """When the buyer first answered strictly after `moment` (NULL: not yet, or not before
    `before`)."""
    return _first_after(is_answer_sql, lead_id, moment, before)


def kept_answer(touch: Any, before: Any | None = None) -> ColumnElement[Any]:
    """When the buyer first answered after our touch (alias `touch` of the event table), from
    what the touch keeps (services/touch_facts.py); a touch that keeps nothing yet (its
    `lead_state` is NULL) is answered by walking its lead's timeline. NULL: not answered
    (before `before`)."""
    kept: ColumnElement[Any] = touch.c.answered_at
    if before is not None:
        kept = case((touch.c.answered_at < before, touch.c.answered_at), else_=None)
    walked = first_answer_after(touch.c.lead_id, touch.c.at, before)
    return case((touch.c.lead_state.is_(None), walked), else_=kept)


def kept_state(touch: Any) -> ColumnElement[Any]:
    """The lead's state when we touched it, kept or (for a touch that keeps nothing yet)
    read from its timeline: the source of its first move since, else its current state."""
    lead = LEAD.alias()
    current = select(lead.c.state).where(lead.c.id == touch.c.lead_id).scalar_subquery()
    walked = func.coalesce(state_at(touch.c.lead_id, touch.c.at), current)
    return case((touch.c.lead_state.is_(None), walked), else_=touch.c.lead_state)


def first_touch_after(lead_id: Any, moment: Any, before: Any | None = None) -> ScalarSelect[Any]:
    """When we first touched the lead strictly after `moment` (NULL: not yet)."""
    return _first_after(is_touch_sql, lead_id, moment, before)


def seconds_between(later: Any, earlier: Any) -> ColumnElement[float]:
    """`later − earlier` in seconds (NULL when either is); stored times are UTC text."""
    return (func.julianday(later) - func.julianday(earlier)) * DAY_SECONDS
