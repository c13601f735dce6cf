"""What the follow-up rules know of a lead: its facts, and what its timeline shows.

Pure. `LeadFacts` is what the services read for one lead; `History` is what every rule
(domain/rules.py) asks of the timeline, worked out once per evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from followthrough.domain.signals import (
    SignalKind,
    TimelineEntry,
    is_answer,
    is_engagement,
    is_touch,
)
from followthrough.domain.states import State

# The states a lead is chased in; a recycled lead has rules of its own, won and lost none.
ACTIVE = (State.HOT, State.WARM)


@dataclass(frozen=True)
class HandledAlert:
    """A past alert the user resolved: some rules escalate from it."""

    rule: str  # as stored: an alert of an earlier version may name a rule no longer here
    episode: str
    resolved_at: datetime


@dataclass(frozen=True)
class LeadFacts:
    state: State
    state_since: datetime
    next_step: str | None
    next_step_due: datetime | None
    recycle_until: datetime | None
    recycle_reason: str | None
    timeline: tuple[TimelineEntry, ...]  # sorted by time
    reactivated_at: datetime | None = None  # last move out of Recycle, if it is the latest move
    handled: tuple[HandledAlert, ...] = ()
    # The next step is a meeting in the calendar starting then: once it has ended the app
    # asks whether it happened, so its time passing is no reason for an alert of its own.
    meeting_step_at: datetime | None = None


class History:
    """Derived facts about a timeline, computed once per evaluation."""

    def __init__(self, timeline: Sequence[TimelineEntry]) -> None:
        # One pass: the tick evaluates many leads, and this is most of its Python time.
        self.timeline = timeline
        self.last_answer_at: datetime | None = None
        self.engagements: list[datetime] = []
        self.touches_since_answer: list[TimelineEntry] = []
        self.last_touch: TimelineEntry | None = None
        self.by_kind: dict[str, list[datetime]] = {}
        for entry in timeline:
            self.by_kind.setdefault(entry.kind, []).append(entry.at)
            answer = is_answer(entry.kind, entry.direction)
            if answer:
                self.last_answer_at = entry.at
                self.touches_since_answer = []
            if answer or is_engagement(entry.kind, entry.direction):
                self.engagements.append(entry.at)
            if is_touch(entry.kind, entry.direction):
                self.last_touch = entry
                self.touches_since_answer.append(entry)
        self.last_engaged_at = self.engagements[-1] if self.engagements else None
        self.last_event_at = timeline[-1].at if timeline else None

    def of_kind(self, kind: SignalKind, after: datetime | None = None) -> list[datetime]:
        times = self.by_kind.get(kind, [])
        return times if after is None else [at for at in times if at > after]

    def engaged_after(self, moment: datetime) -> bool:
        return self.last_engaged_at is not None and self.last_engaged_at > moment

    @property
    def awaiting_reply(self) -> bool:
        if self.last_touch is None:
            return False
        return self.last_engaged_at is None or self.last_touch.at > self.last_engaged_at


def reactivation_time(moves: Sequence[tuple[datetime, str | None, str]]) -> datetime | None:
    """When the lead last came out of Recycle, if that is its latest move. (at, from, to)."""
    if not moves:
        return None
    at, source, target = max(moves, key=lambda m: m[0])
    if source == State.RECYCLE and target in ACTIVE:
        return at
    return None
