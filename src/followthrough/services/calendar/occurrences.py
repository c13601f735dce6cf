"""An iCalendar document as the occurrences the meeting rules read (domain/meetings.py).

Parsed with `icalendar` and expanded with `recurring-ical-events`, which between them handle
what calendars really send: recurring events with exceptions (a moved instance keeps its
original RECURRENCE-ID, so it is recognised as the same meeting), all-day events, each
event's own TZID, and Google's X-WR-TIMEZONE. Only what the rules need leaves this module:
the key, the title, the times, the status and who was invited with their answer; the
description and everything else stay in the document, which is not kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
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
    document: bytes, read_from: datetime, read_until: datetime, zone: tzinfo
) -> list[Occurrence]:
    """The occurrences starting in [read_from, read_until), by start then key. All-day
    events start at the day's start in `zone` (where the person is)."""
    import icalendar
    import recurring_ical_events  # type: ignore[import-untyped]  # ships no type hints

    if len(document) > MAX_BYTES:
        raise CalendarError(
            f"the calendar is over {MAX_BYTES // 1_000_000} MB: not read", "calendar"
        )
    try:
        calendar = icalendar.Calendar.from_ical(document)
        expanded = recurring_ical_events.of(calendar).between(read_from, read_until)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise CalendarError(
            f"the calendar could not be read: {_first_line(exc)}", "calendar"
        ) from None
    found = [o for o in (_occurrence(e, zone) for e in expanded) if o is not None]
    found = [o for o in found if read_from <= o.start < read_until]
    found.sort(key=lambda o: (o.start, o.key))
    return found


def _occurrence(event: Any, zone: tzinfo) -> Occurrence | None:
    uid = str(event.get("UID", "")).strip()
    start = event.get("DTSTART")
    if not uid or start is None:
        return None  # nothing to recognise it by next time, or no time at all
    all_day = not isinstance(start.dt, datetime)
    begins = _moment(start.dt, zone)
    end = event.get("DTEND")
    ends = _moment(end.dt, zone) if end is not None else begins + (DAY if all_day else timedelta())
    recurrence = event.get("RECURRENCE-ID")
    instance = _moment(recurrence.dt, zone) if recurrence is not None else begins
    return Occurrence(
        key=f"{uid}|{instance.astimezone(UTC).isoformat()}",
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
