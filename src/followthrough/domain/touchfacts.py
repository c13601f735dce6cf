"""What became of each of our touches: the lead's state when we made it, and when the buyer
first answered after it.

The reports ask both questions of every message, call and proposal in their period; walking a
lead's timeline for each one costs a lookup per touch at report time. These facts only change
when the lead's timeline does, so the services keep them beside each touch, recomputed from the
whole timeline whenever it changes (services/touch_facts.py), as they keep `unanswered`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from followthrough.domain.signals import EventKind, is_answer, is_touch


class FactsEntry(NamedTuple):
    """One event of a timeline, as far as these facts need it."""

    id: int
    at: datetime
    kind: str
    direction: str
    moved_from: str | None  # a move's source state; None for anything else (or an arrival)


class TouchFacts(NamedTuple):
    state: str  # the lead's state when we touched it
    answered_at: datetime | None  # the buyer's first answer strictly after it; None: not yet


def touch_facts(timeline: Sequence[FactsEntry], current_state: str) -> dict[int, TouchFacts]:
    """The facts of every touch in `timeline` (time order, ties by id), by event id.

    The state at a moment is the source of the first move strictly after it (the lead's
    current state when none moved it since, or when that move was its arrival); the answer
    is the first one strictly after the touch. One pass backwards, a moment at a time, so
    events at the same moment do not see each other.
    """
    facts: dict[int, TouchFacts] = {}
    state_before_next_move = current_state
    next_answer: datetime | None = None
    end = len(timeline)
    while end > 0:
        start = end - 1
        while start > 0 and timeline[start - 1].at == timeline[end - 1].at:
            start -= 1
        moment = timeline[start:end]
        for entry in moment:
            if is_touch(entry.kind, entry.direction):
                facts[entry.id] = TouchFacts(state_before_next_move, next_answer)
        # The earliest move of this moment is the first move after anything earlier.
        first_move = next((e for e in moment if e.kind == EventKind.STATE_CHANGE), None)
        if first_move is not None:
            state_before_next_move = first_move.moved_from or current_state
        if any(is_answer(e.kind, e.direction) for e in moment):
            next_answer = moment[0].at
        end = start
    return facts
