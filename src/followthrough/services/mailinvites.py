"""An invitation's answer arriving by mail, logged against the lead like the calendar would.

When a lead accepts or declines a meeting, or cancels one they organised, their calendar
mails an iCalendar document (iTIP, RFC 5546) in a text/calendar part: METHOD:REPLY with the
lead's ATTENDEE line and its PARTSTAT, or METHOD:CANCEL. That part is the one part of a body
the app reads, and only for a message from a lead (its From, Sender or Reply-To is a lead's
address) whose headers say it may hold one (multipart/*, text/calendar): the server describes
the message's parts (BODYSTRUCTURE), the calendar part alone is fetched, at most PART_MAX
bytes of it, and a bigger one is not read at all. Nothing of it is kept but what the calendar
keeps of a meeting: its key (UID and instance), title and times.

What is logged, decided as the calendar decides (services/calendar/meetings.py), on the same
meeting rows, so that the calendar and the mail never log the same thing twice:
- REPLY, the lead ACCEPTED: nothing when the meeting is kept and not cancelled (the calendar
  already booked it); otherwise `meeting_booked`, and the meeting kept as the calendar keeps a
  booked one (it becomes the lead's next step when it is the next thing planned; "did it
  happen?" is asked once it has ended).
- REPLY, the lead DECLINED, or CANCEL (for every lead among the organizer and attendees):
  `meeting_cancelled` and the kept meeting marked cancelled, unless it already was. A meeting
  never kept before is kept as cancelled: a cancellation is news even where no calendar is
  read, and a later read of the calendar then has nothing to log for it.
- Any other answer (TENTATIVE, NEEDS-ACTION…), another METHOD (a new invitation, REQUEST,
  is the calendar's to read), or a document that does not parse: nothing from the calendar
  part; the message is then read by its headers like any other.
A message that carried an answer is that answer, not also a "reply" from the lead.
Signals carry the calendar's source and match ("calendar:<UID>", with "via": "mail"): Not
this lead forgets the meeting and that event never matches that lead again, by mail or
calendar. A reply to a whole recurring series speaks for its first occurrence.
"""

from __future__ import annotations

import base64
import binascii
import quopri
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, insert, select

from followthrough.domain.bodystructure import CalendarPart
from followthrough.domain.meetings import MeetingStep, Occurrence, StepKind
from followthrough.domain.provenance import MATCH, SOURCE, SignalSource
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.services.calendar.meetings import MeetingWrites, calendar_match
from followthrough.services.calendar.occurrences import occurrence_of as read_occurrence
from followthrough.services.matching import leads_by_email, unmatchable
from followthrough.services.signal_log import SignalEntry
from followthrough.store.tables import MEETING

PART_MAX = 256 * 1024  # an answer is a few kB; a calendar part past this is not read
ACCEPTED, DECLINED = "ACCEPTED", "DECLINED"
REPLY, CANCEL = "REPLY", "CANCEL"
VIA = "via"  # payload key: how the calendar's word reached the app


@dataclass(frozen=True)
class InviteAnswer:
    method: str  # REPLY | CANCEL
    occurrences: tuple[Occurrence, ...]


@dataclass(frozen=True)
class MeetingAnswer:
    """What one answer logged for one lead, for the faces."""

    lead_id: int
    lead_name: str
    kind: SignalKind
    title: str
    entry: SignalEntry


def read_answer(raw: bytes, part: CalendarPart, zone: tzinfo) -> InviteAnswer | None:
    """The answer a calendar part holds; None for anything but a readable REPLY or CANCEL."""
    import icalendar

    document = _decoded(raw[:PART_MAX], part)
    if document is None:
        return None
    try:
        calendar = icalendar.Calendar.from_ical(document)
        method = str(calendar.get("METHOD", "")).strip().upper()
        if method not in (REPLY, CANCEL):
            return None
        found = [read_occurrence(e, zone) for e in calendar.walk("VEVENT")]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
    occurrences = tuple(o for o in found if o is not None and _decides(method, o))
    return InviteAnswer(method, occurrences) if occurrences else None


def _decides(method: str, occurrence: Occurrence) -> bool:
    """A CANCEL always does; a REPLY when someone in it accepted or declined."""
    said = {partstat.upper() for partstat in occurrence.attendees.values()}
    return method == CANCEL or bool(said & {ACCEPTED, DECLINED})


def _decoded(raw: bytes, part: CalendarPart) -> str | None:
    try:
        if part.encoding == "base64":
            data = base64.b64decode(raw, validate=False)
        elif part.encoding == "quoted-printable":
            data = quopri.decodestring(raw)
        else:
            data = raw
        return data.decode(part.charset or "utf-8", "replace")
    except (binascii.Error, LookupError, ValueError):
        return None


def apply_answers(
    conn: Connection, answers: Sequence[tuple[InviteAnswer, datetime]], now: datetime
) -> list[MeetingAnswer]:
    """Log what these answers call for, in the caller's transaction (the mail watch's);
    the signals are returned for its one bulk log, dated when each message was sent."""
    emails = {e for answer, _ in answers for o in answer.occurrences for e in o.attendees}
    leads = leads_by_email(conn, emails)
    pairs = [(calendar_match(o.key), leads[e][0]) for answer, _ in answers
             for o in answer.occurrences for e in o.attendees if e in leads]  # fmt: skip
    refused = unmatchable(conn, pairs)
    done: list[MeetingAnswer] = []
    for answer, at in answers:
        for occurrence in answer.occurrences:
            for email, partstat in occurrence.attendees.items():
                if email not in leads:
                    continue
                lead_id, name = leads[email]
                if (calendar_match(occurrence.key), lead_id) in refused:
                    continue
                said = CANCEL if answer.method == CANCEL else partstat.upper()
                entry = _answer(conn, occurrence, lead_id, said, now)
                if entry is not None:
                    entry = replace(entry, at=min(at, now),
                                    payload={**entry.payload, VIA: "mail"})  # fmt: skip
                    done.append(MeetingAnswer(lead_id, name, entry.kind, occurrence.title, entry))
    return done


def _answer(
    conn: Connection, o: Occurrence, lead_id: int, said: str, now: datetime
) -> SignalEntry | None:
    row = conn.execute(
        select(MEETING).where(MEETING.c.key == o.key, MEETING.c.lead_id == lead_id)
    ).first()
    if said == ACCEPTED:
        if row is not None and not row.cancelled:
            return None  # booked already: nothing new
        step = MeetingStep(StepKind.BOOKED, lead_id, o.key, o.title, o.start, o.end)
        return _only(_written(conn, step, row, now))
    if said not in (DECLINED, CANCEL):
        return None
    if row is not None:
        if row.cancelled:
            return None
        step = MeetingStep(StepKind.CANCELLED, lead_id, o.key, o.title, o.start, o.end)
        return _only(_written(conn, step, row, now))
    conn.execute(insert(MEETING).values(
        key=o.key, lead_id=lead_id, title=o.title, start=o.start, end=o.end, cancelled=True,
        sets_next_step=False, created_at=now, updated_at=now))  # fmt: skip
    payload: dict[str, Any] = {SOURCE: SignalSource.CALENDAR.value,
                               MATCH: calendar_match(o.key), "meeting": o.key}  # fmt: skip
    return SignalEntry(lead_id, SignalKind.MEETING_CANCELLED, now, Direction.NONE,
                       Channel.MEETING, o.title or None, payload)  # fmt: skip


def _only(entries: list[SignalEntry]) -> SignalEntry | None:
    return entries[0] if entries else None


def _written(conn: Connection, step: MeetingStep, row: Any, now: datetime) -> list[SignalEntry]:
    """One step, written as a calendar read writes it (services/calendar/meetings.py)."""
    writes = MeetingWrites(conn, now)
    entries = writes.take(step, row)
    writes.flush()
    return entries
