"""An iCalendar document as the occurrences the meeting rules read (domain/meetings.py).

Parsed with `icalendar` and expanded with `recurring-ical-events`, which between them handle
what calendars really send: recurring events with exceptions (a moved instance keeps its
original RECURRENCE-ID, so it is recognised as the same meeting), all-day events, each
event's own TZID, and Google's X-WR-TIMEZONE. Only what the rules need leaves this module:
the key, the title, the times, the status and who was invited with their answer; the
description and everything else stay in the document, which is not kept.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Any

from followthrough.domain.meetings import Occurrence
from followthrough.errors import FollowthroughError

MAX_BYTES = 20_000_000  # a calendar export of many years; past this, something is wrong
DAY = timedelta(days=1)


class CalendarError(FollowthroughError):
    """The calendar cannot be read as set up; `kind` says which part failed."""

    exit_code = 5

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def read_occurrences(
    document: bytes,
    read_from: datetime,
    read_until: datetime,
    zone: tzinfo,
    inviting: Collection[str] | None = None,
) -> list[Occurrence]:
    """The occurrences starting in [read_from, read_until), by start then key. All-day
    events start at the day's start in `zone` (where the person is).

    `inviting`: when given (lower-case e-mail addresses), only events that may invite one of
    them are parsed at all — the meeting rules read nothing else, and most of a person's
    calendar is meetings without leads.
    """
    import icalendar
    import recurring_ical_events  # type: ignore[import-untyped]  # ships no type hints

    if len(document) > MAX_BYTES:
        raise CalendarError(
            f"the calendar is over {MAX_BYTES // 1_000_000} MB: not read", "calendar"
        )
    if not document.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        # A sign-in page where the calendar was, say: never read as an empty calendar, which
        # would cancel every meeting kept.
        raise CalendarError("the calendar could not be read: it is not an iCalendar document",
                            "calendar")  # fmt: skip
    if inviting is not None:
        document = _events_inviting(document, inviting)
        if not _EVENT.search(document):
            return []  # nobody wanted is invited: nothing to parse
    try:
        calendar = icalendar.Calendar.from_ical(document)
        expanded = recurring_ical_events.of(calendar).between(read_from, read_until)
        series = {str(e.get("UID", "")).strip() for e in calendar.walk("VEVENT")
                  if any(name in e for name in ("RRULE", "RDATE", "RECURRENCE-ID"))}  # fmt: skip
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise CalendarError(
            f"the calendar could not be read: {_first_line(exc)}", "calendar"
        ) from None
    found = [o for o in (occurrence_of(e, zone, series) for e in expanded) if o is not None]
    found = [o for o in found if read_from <= o.start < read_until]
    found.sort(key=lambda o: (o.start, o.key))
    return found


_FOLD = re.compile(rb"\r?\n[ \t]")
_EVENT = re.compile(
    rb"^BEGIN:VEVENT\r?$.*?^END:VEVENT\r?\n?", re.MULTILINE | re.DOTALL | re.IGNORECASE
)
_UID = re.compile(rb"^UID[;:](.*?)\r?$", re.MULTILINE | re.IGNORECASE)
# Anything shaped like an address: a loose superset of what _email finds, so that an event
# left out here could not have matched anyway.
_ADDRESS = re.compile(rb"[^\s:;,<>\"'()\[\]]+@[^\s:;,<>\"'()\[\]]+")


_ATTENDEE_LINE = re.compile(rb"^ATTENDEE[;:][^\n]*\n?", re.MULTILINE | re.IGNORECASE)


def _events_inviting(document: bytes, emails: Collection[str]) -> bytes:
    """The document with only the events (every instance of a UID together) that mention
    one of `emails`, and in them only the attendee lines of those people (a meeting with
    three hundred guests is read as the few the rules look for); everything outside events
    (time zones) kept as it is."""
    unfolded = _FOLD.sub(b"", document)
    blocks = list(_EVENT.finditer(unfolded))
    wanted = {_uid_of(block.group()) for block in blocks if _mentions(block.group(), emails)}
    kept: list[bytes] = []
    position = 0
    for block in blocks:
        kept.append(unfolded[position : block.start()])
        if _uid_of(block.group()) in wanted:
            kept.append(_ATTENDEE_LINE.sub(partial(_if_wanted, emails=emails), block.group()))
        position = block.end()
    kept.append(unfolded[position:])
    return b"".join(kept)


def _mentions(text: bytes, emails: Collection[str]) -> bool:
    found = {m.group().lower() for m in _ADDRESS.finditer(text)}
    return any(a.decode("utf-8", "replace") in emails for a in found)


def _if_wanted(line: re.Match[bytes], emails: Collection[str]) -> bytes:
    return line.group() if _mentions(line.group(), emails) else b""


def _uid_of(block: bytes) -> bytes:
    found = _UID.search(block)
    return found.group(1).strip() if found else b""


def occurrence_of(
    event: Any, zone: tzinfo, series: Collection[str] | None = None
) -> Occurrence | None:
    """`series`: the UIDs of recurring events in the document; None: this event as it
    stands says (an invitation's answer by mail, not expanded)."""
    uid = str(event.get("UID", "")).strip()
    start = event.get("DTSTART")
    if not uid or start is None:
        return None  # nothing to recognise it by next time, or no time at all
    all_day = not isinstance(start.dt, datetime)
    begins = _moment(start.dt, zone)
    end = event.get("DTEND")
    ends = _moment(end.dt, zone) if end is not None else begins + (DAY if all_day else timedelta())
    # An instance of a series is known by its original start (a moved one keeps it); a
    # single event by its UID alone, so that moving it is a move, not a new meeting.
    # (recurring-ical-events gives every event a RECURRENCE-ID, single ones too.)
    instance = ""
    recurring = ("RRULE", "RDATE", "RECURRENCE-ID")
    if uid in series if series is not None else any(name in event for name in recurring):
        recurrence = event.get("RECURRENCE-ID")
        began = _moment(recurrence.dt, zone) if recurrence is not None else begins
        instance = began.astimezone(UTC).isoformat()
    return Occurrence(
        key=f"{uid}|{instance}",
        title=" ".join(str(event.get("SUMMARY", "")).split()),
        start=begins,
        end=max(ends, begins),
        all_day=all_day,
        cancelled=str(event.get("STATUS", "")).upper() == "CANCELLED",
        attendees=_attendees(event),
    )


def _moment(value: date | datetime, zone: tzinfo) -> datetime:
    """Aware UTC. A date is its start where the person is; a floating time is theirs too."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), zone).astimezone(UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=zone).astimezone(UTC)
    return value.astimezone(UTC)


def _attendees(event: Any) -> dict[str, str]:
    """E-mail key → PARTSTAT, the organizer included ("" where no answer is given)."""
    people: dict[str, str] = {}
    for prop in (*_listed(event.get("ORGANIZER")), *_listed(event.get("ATTENDEE"))):
        email = _email(str(prop))
        if email:
            partstat = str(getattr(prop, "params", {}).get("PARTSTAT", "")).upper()
            people[email] = partstat or people.get(email, "")
    return people


def _listed(value: Any) -> Iterable[Any]:
    if value is None:
        return ()
    return value if isinstance(value, list) else (value,)


def _email(address: str) -> str:
    text = address.strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    text = text.strip().lower()
    return text if "@" in text else ""


def _first_line(exc: BaseException) -> str:
    words = str(exc).strip().splitlines()
    return words[0] if words else type(exc).__name__
