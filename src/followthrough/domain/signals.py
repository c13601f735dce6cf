"""What can happen to a lead, and how each happening counts toward silence.

A *touch* is something we sent the buyer. A buyer *engagement* is an inbound sign of
interest. `unanswered` counts our touches since the buyer last *answered*: a reply, an
inbound call or a meeting. Viewing a proposal or clicking a link is engagement (it moves
`last_inbound_at`) but not an answer, so it does not excuse us from the no-pestering guard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from followthrough.domain.choices import parse_choice


class SignalKind(StrEnum):
    SENT = "sent"
    REPLIED = "replied"
    CALL = "call"
    MEETING_BOOKED = "meeting_booked"
    MEETING_HELD = "meeting_held"
    MEETING_MISSED = "meeting_missed"
    MEETING_CANCELLED = "meeting_cancelled"
    PROPOSAL_SENT = "proposal_sent"
    PROPOSAL_VIEWED = "proposal_viewed"
    PRICING_DISCUSSED = "pricing_discussed"
    LINK_CLICKED = "link_clicked"
    OBJECTION = "objection"
    NOTE = "note"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class EventKind(StrEnum):
    """Timeline entries the app writes itself, beside the signals a user logs."""

    STATE_CHANGE = "state_change"
    DRAFT_COPIED = "draft_copied"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"
    NONE = "none"


class Channel(StrEnum):
    EMAIL = "email"
    LINKEDIN = "linkedin"
    PHONE = "phone"
    MEETING = "meeting"
    OTHER = "other"


@dataclass(frozen=True)
class SignalTraits:
    direction: Direction
    channel: Channel | None


# Where a kind can go either way (a call), this is the usual case; callers may override.
SIGNAL_TRAITS: dict[SignalKind, SignalTraits] = {
    SignalKind.SENT: SignalTraits(Direction.OUT, Channel.EMAIL),
    SignalKind.REPLIED: SignalTraits(Direction.IN, Channel.EMAIL),
    SignalKind.CALL: SignalTraits(Direction.OUT, Channel.PHONE),
    SignalKind.MEETING_BOOKED: SignalTraits(Direction.IN, Channel.MEETING),
    SignalKind.MEETING_HELD: SignalTraits(Direction.IN, Channel.MEETING),
    SignalKind.MEETING_MISSED: SignalTraits(Direction.NONE, Channel.MEETING),
    SignalKind.MEETING_CANCELLED: SignalTraits(Direction.NONE, Channel.MEETING),
    SignalKind.PROPOSAL_SENT: SignalTraits(Direction.OUT, Channel.EMAIL),
    SignalKind.PROPOSAL_VIEWED: SignalTraits(Direction.IN, Channel.EMAIL),
    SignalKind.PRICING_DISCUSSED: SignalTraits(Direction.NONE, None),
    SignalKind.LINK_CLICKED: SignalTraits(Direction.IN, Channel.EMAIL),
    SignalKind.OBJECTION: SignalTraits(Direction.IN, None),
    SignalKind.NOTE: SignalTraits(Direction.NONE, None),
}

# Inbound kinds that show the buyer engaging with us.
ENGAGEMENT_KINDS = frozenset(
    {
        SignalKind.REPLIED,
        SignalKind.PROPOSAL_VIEWED,
        SignalKind.LINK_CLICKED,
        SignalKind.MEETING_BOOKED,
        SignalKind.MEETING_HELD,
        SignalKind.CALL,
    }
)
# Engagements that answer us, and so reset the count of unanswered touches.
ANSWER_KINDS = frozenset(
    {SignalKind.REPLIED, SignalKind.CALL, SignalKind.MEETING_BOOKED, SignalKind.MEETING_HELD}
)
# Outbound kinds that are a touch the buyer may or may not answer.
TOUCH_KINDS = frozenset({SignalKind.SENT, SignalKind.PROPOSAL_SENT, SignalKind.CALL})


def parse_signal_kind(text: str) -> SignalKind:
    return parse_choice(text, SignalKind, "signal kind", "kind")


def parse_channel(text: str) -> Channel:
    return parse_choice(text, Channel, "channel", "channel")


def parse_direction(text: str) -> Direction:
    return parse_choice(text, Direction, "direction", "direction")


def is_engagement(kind: str, direction: str) -> bool:
    return direction == Direction.IN and kind in ENGAGEMENT_KINDS


def is_answer(kind: str, direction: str) -> bool:
    # A meeting held is an answer whichever side logged it.
    if kind == SignalKind.MEETING_HELD:
        return True
    return direction == Direction.IN and kind in ANSWER_KINDS


def is_touch(kind: str, direction: str) -> bool:
    return direction == Direction.OUT and kind in TOUCH_KINDS


class TimelineEntry(NamedTuple):
    """The part of an event the rules depend on (a tuple: the tick builds thousands)."""

    at: datetime
    kind: str
    direction: str


@dataclass(frozen=True)
class TouchSummary:
    last_outbound_at: datetime | None
    last_inbound_at: datetime | None
    unanswered: int


def summarize_touches(entries: Iterable[TimelineEntry]) -> TouchSummary:
    """Derive the silence counters from a lead's whole timeline.

    Recomputed from history rather than incremented, so that back-dated events, deletions
    and undo leave the counters right. Entries may come in any order; ties keep input order.
    """
    last_out: datetime | None = None
    last_in: datetime | None = None
    unanswered = 0
    for entry in sorted(entries, key=lambda e: e.at):
        if is_touch(entry.kind, entry.direction):
            last_out = entry.at
            unanswered += 1
        if is_engagement(entry.kind, entry.direction) or is_answer(entry.kind, entry.direction):
            last_in = entry.at
        if is_answer(entry.kind, entry.direction):
            unanswered = 0
    return TouchSummary(last_out, last_in, unanswered)
