"""Meetings from the person's calendar: which occurrences concern a lead, and what each read of
the calendar should log, so that nothing about a meeting depends on memory.

A calendar read yields occurrences (one per instance of a recurring event). For each lead
among an occurrence's attendees the app keeps what it logged (`Kept`); comparing the two
gives the steps:
- BOOKED: a meeting with the lead appeared (logged once: `meeting_booked`);
- MOVED: its start changed (the lead's next step follows it, when it was this meeting);
- CANCELLED: it was cancelled, the lead declined, or it vanished from the part of the
  calendar just read before it took place (a trigger, like a missed meeting);
- ASK: it has ended, and only the person knows whether it happened: "Did the meeting with
  Bob Stone happen?" stays asked until answered (Held / Missed). The app never guesses.
Only what these need is kept: when, the title (it becomes the next step), and who matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

DECLINED = "DECLINED"  # an attendee's PARTSTAT saying they will not come


class Occurrence(NamedTuple):
    """One instance of a calendar event, as far as the app may know it."""

    key: str  # the UID, and an instance of a series its original start: same across reads
    title: str  # the event's summary ("" when it has none)
    start: datetime  # aware; an all-day event starts at the day's start where the person is
    end: datetime
    all_day: bool
    cancelled: bool  # STATUS:CANCELLED
    attendees: Mapping[str, str]  # e-mail key → PARTSTAT ("" when the calendar says none)


class Kept(NamedTuple):
    """What the app keeps of an occurrence it logged for a lead."""

    key: str
    lead_id: int
    start: datetime
    end: datetime
    cancelled: bool
    asked: bool  # "did it happen?" was asked (answered or not)


class StepKind(StrEnum):
    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"
    ASK = "ask"


class MeetingStep(NamedTuple):
    kind: StepKind
    lead_id: int
    key: str
    title: str
    start: datetime
    end: datetime
    previous_start: datetime | None = None  # MOVED: where it was


def meeting_steps(
    occurrences: Iterable[Occurrence],
    kept: Mapping[tuple[str, int], Kept],
    leads_by_email: Mapping[str, int],
    read_from: datetime,
    read_until: datetime,
    now: datetime,
) -> list[MeetingStep]:
    """The steps one read of the calendar calls for, in the order to take them.

    `kept`: by (occurrence key, lead id); `leads_by_email`: e-mail key → lead id, leads that
    may be matched only; the read covered occurrences starting in [read_from, read_until).
    """
    steps: list[MeetingStep] = []
    present: set[tuple[str, int]] = set()
    for occurrence in occurrences:
        for lead_id, declined in _leads_of(occurrence, leads_by_email).items():
            present.add((occurrence.key, lead_id))
            gone = occurrence.cancelled or declined
            steps += _steps_for(occurrence, lead_id, gone, kept.get((occurrence.key, lead_id)), now)
    for (key, lead_id), was in sorted(kept.items()):
        vanished = (key, lead_id) not in present and read_from <= was.start < read_until
        if vanished and not was.cancelled and was.end > now:
            steps.append(_step(StepKind.CANCELLED, lead_id, key, "", was.start, was.end))
    return steps


def _leads_of(occurrence: Occurrence, leads_by_email: Mapping[str, int]) -> dict[int, bool]:
    """The leads among the attendees (each once, by id), and whether each declined."""
    found: dict[int, bool] = {}
    for email, partstat in occurrence.attendees.items():
        lead_id = leads_by_email.get(email)
        if lead_id is not None:
            found[lead_id] = found.get(lead_id, False) or partstat.upper() == DECLINED
    return dict(sorted(found.items()))


def _steps_for(
    occurrence: Occurrence, lead_id: int, gone: bool, was: Kept | None, now: datetime
) -> list[MeetingStep]:
    o = occurrence
    ended = o.end <= now
    if was is None:
        if gone:
            return []  # never booked here: nothing to take back
        booked = [_step(StepKind.BOOKED, lead_id, o.key, o.title, o.start, o.end)]
        return booked + (
            [_step(StepKind.ASK, lead_id, o.key, o.title, o.start, o.end)] if ended else []
        )
    if gone:
        if was.cancelled or (was.end <= now and was.asked):
            return []
        return [_step(StepKind.CANCELLED, lead_id, o.key, o.title, o.start, o.end)]
    steps: list[MeetingStep] = []
    if was.cancelled:
        steps.append(_step(StepKind.BOOKED, lead_id, o.key, o.title, o.start, o.end))
    elif o.start != was.start or o.end != was.end:
        steps.append(_step(StepKind.MOVED, lead_id, o.key, o.title, o.start, o.end, was.start))
    if ended and not was.asked:
        steps.append(_step(StepKind.ASK, lead_id, o.key, o.title, o.start, o.end))
    return steps


def _step(
    kind: StepKind,
    lead_id: int,
    key: str,
    title: str,
    start: datetime,
    end: datetime,
    previous_start: datetime | None = None,
) -> MeetingStep:
    return MeetingStep(kind, lead_id, key, title, start, end, previous_start)


def meeting_next_step(title: str) -> str:
    """The next step a booked meeting becomes: "Call: Pilot scope"."""
    words = " ".join(title.split())
    return f"Call: {words}" if words else "Call"


def takes_next_step(current_due: datetime | None, meeting_start: datetime) -> bool:
    """Whether a booked meeting becomes the lead's next step: when the lead has none (or one
    without a time), or one due before the meeting — the meeting is what that step led to.
    A step planned beyond the meeting stays."""
    return current_due is None or current_due <= meeting_start
