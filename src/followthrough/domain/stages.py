"""Where a deal stood when something happened: what our last touch with the buyer was.

The reports locate silence and stalls by stage, not by date: "after the proposal" says more
about why a buyer went quiet than "in October". The stage at a moment is read from the latest
stage-setting signal at or before it; before any, the lead is at first contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from followthrough.domain.signals import SignalKind, TimelineEntry


class Stage(StrEnum):
    FIRST_CONTACT = "first_contact"
    AFTER_MEETING = "after_meeting"
    AFTER_PROPOSAL = "after_proposal"
    AFTER_PRICING = "after_pricing"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Stage.FIRST_CONTACT: "First contact",
    Stage.AFTER_MEETING: "After a call or meeting",
    Stage.AFTER_PROPOSAL: "After the proposal",
    Stage.AFTER_PRICING: "After pricing",
}

# The order a deal usually goes through them, and the order every report lists them in.
STAGES: tuple[Stage, ...] = tuple(Stage)

# The signals that move a deal to a stage; any other event leaves the stage as it was.
STAGE_OF_KIND: dict[SignalKind, Stage] = {
    SignalKind.CALL: Stage.AFTER_MEETING,
    SignalKind.MEETING_BOOKED: Stage.AFTER_MEETING,
    SignalKind.MEETING_HELD: Stage.AFTER_MEETING,
    SignalKind.MEETING_MISSED: Stage.AFTER_MEETING,
    SignalKind.MEETING_CANCELLED: Stage.AFTER_MEETING,
    SignalKind.PROPOSAL_SENT: Stage.AFTER_PROPOSAL,
    SignalKind.PROPOSAL_VIEWED: Stage.AFTER_PROPOSAL,
    SignalKind.PRICING_DISCUSSED: Stage.AFTER_PRICING,
}
STAGE_KINDS: frozenset[str] = frozenset(STAGE_OF_KIND)
# By the kind's text, as stored: the reports look up thousands.
_STAGE_BY_NAME: dict[str, Stage] = {kind.value: stage for kind, stage in STAGE_OF_KIND.items()}


def stage_of(kind: str | None) -> Stage:
    """The stage the latest stage-setting signal's kind puts a lead in (None: no such signal).

    For callers that found that signal themselves (the reports do, in SQL).
    """
    if kind is None:
        return Stage.FIRST_CONTACT
    return _STAGE_BY_NAME.get(kind, Stage.FIRST_CONTACT)


def stage_at(entries: Iterable[TimelineEntry], moment: datetime) -> Stage:
    """The stage at `moment`, from a lead's timeline (any order; ties keep input order)."""
    return stage_of(latest_stage_signal(entries, moment))


def latest_stage_signal(entries: Iterable[TimelineEntry], moment: datetime) -> str | None:
    """The kind of the latest stage-setting signal at or before `moment` (any order; ties
    keep input order); None: the lead is still at first contact. What an alert keeps."""
    latest: TimelineEntry | None = None
    for entry in entries:
        later = latest is None or entry.at >= latest.at
        if entry.kind in STAGE_KINDS and entry.at <= moment and later:
            latest = entry
    return None if latest is None else latest.kind


# Touch number: how many of our touches the buyer had left unanswered.
TOUCH_BUCKETS: tuple[str, ...] = ("1st", "2nd", "3rd or later")


def touch_bucket(unanswered: int) -> str:
    """`1st`, `2nd` or `3rd or later`; none unanswered yet counts as the first."""
    return TOUCH_BUCKETS[min(max(unanswered, 1), len(TOUCH_BUCKETS)) - 1]
