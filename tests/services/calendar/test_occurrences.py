"""An iCalendar document read as the meeting rules see it: recurring events with a moved and a
cancelled instance, all-day events, each event's own time zone, hundreds of attendees, and a
document that is not a calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthrough.services.calendar.occurrences import CalendarError, read_occurrences

NEW_YORK = ZoneInfo("America/New_York")
FROM, UNTIL = datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Followthrough tests//EN"]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            "DTSTAMP:20261101T000000Z",
            *event.strip().splitlines(),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


WEEKLY = """
UID:weekly-1
DTSTART;TZID=Europe/Paris:20261201T140000
DTEND;TZID=Europe/Paris:20261201T150000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Pilot   check-in
DESCRIPTION:Private notes about the deal
ORGANIZER;CN=Me:mailto:me@example.com
ATTENDEE;PARTSTAT=ACCEPTED;CN=Dana:mailto:Dana@Acme.IO
"""
MOVED = """
UID:weekly-1
RECURRENCE-ID;TZID=Europe/Paris:20261208T140000
DTSTART;TZID=Europe/Paris:20261209T100000
DTEND;TZID=Europe/Paris:20261209T110000
SUMMARY:Pilot check-in (moved)
ATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.io
"""
CANCELLED = """
UID:weekly-1
RECURRENCE-ID;TZID=Europe/Paris:20261215T140000
DTSTART;TZID=Europe/Paris:20261215T140000
DTEND;TZID=Europe/Paris:20261215T150000
STATUS:CANCELLED
SUMMARY:Pilot check-in
ATTENDEE;PARTSTAT=DECLINED:mailto:dana@acme.io
"""


def test_a_recurring_meeting_with_a_moved_and_a_cancelled_instance() -> None:
    found = read_occurrences(calendar(WEEKLY, MOVED, CANCELLED), FROM, UNTIL, UTC)
    assert [(o.key, o.start, o.cancelled) for o in found] == [
        ("weekly-1|2026-12-01T13:00:00+00:00", datetime(2026, 12, 1, 13, tzinfo=UTC), False),
        # Moved to Wednesday, still the 8 December instance: the same meeting, moved.
        ("weekly-1|2026-12-08T13:00:00+00:00", datetime(2026, 12, 9, 9, tzinfo=UTC), False),
        ("weekly-1|2026-12-15T13:00:00+00:00", datetime(2026, 12, 15, 13, tzinfo=UTC), True),
    ]
    first = found[0]
    assert (first.title, first.end - first.start, first.all_day) == (
        "Pilot check-in",
        timedelta(hours=1),
        False,
    )
    assert first.attendees == {"me@example.com": "", "dana@acme.io": "ACCEPTED"}
    assert found[2].attendees["dana@acme.io"] == "DECLINED"
    # Nothing of the description leaves the document.
    assert all("Private" not in repr(o) for o in found)


def test_an_all_day_event_starts_where_the_person_is_and_times_keep_their_zone() -> None:
    workshop = """
UID:allday-1
DTSTART;VALUE=DATE:20261210
DTEND;VALUE=DATE:20261211
SUMMARY:Workshop
ATTENDEE:mailto:bob@beta.io
"""
    tokyo = """
UID:tokyo-1
DTSTART;TZID=Asia/Tokyo:20261211T090000
DURATION:PT30M
SUMMARY:Call with Tokyo
ATTENDEE:mailto:ken@gamma.jp
"""
    found = read_occurrences(calendar(workshop, tokyo), FROM, UNTIL, NEW_YORK)
    day, call = found
    assert (day.start, day.end, day.all_day) == (
        datetime(2026, 12, 10, 5, tzinfo=UTC),  # midnight in New York
        datetime(2026, 12, 11, 5, tzinfo=UTC),
        True,
    )
    assert (call.start, call.end) == (
        datetime(2026, 12, 11, 0, tzinfo=UTC),
        datetime(2026, 12, 11, 0, 30, tzinfo=UTC),
    )


def test_only_the_window_read_is_returned() -> None:
    found = read_occurrences(calendar(WEEKLY), datetime(2026, 12, 5, tzinfo=UTC), UNTIL, UTC)
    assert [o.start.day for o in found] == [8, 15]


def test_hundreds_of_attendees_are_all_read() -> None:
    crowd = "\n".join(
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:guest{n}@example.org" for n in range(800)
    )
    event = f"UID:town-hall\nDTSTART:20261203T160000Z\nDTEND:20261203T170000Z\nSUMMARY:Town hall\n{crowd}\nATTENDEE;PARTSTAT=ACCEPTED:mailto:dana@acme.io"
    [found] = read_occurrences(calendar(event), FROM, UNTIL, UTC)
    assert len(found.attendees) == 801
    assert found.attendees["dana@acme.io"] == "ACCEPTED"


def test_something_that_is_not_a_calendar_is_said_in_one_line() -> None:
    with pytest.raises(CalendarError) as caught:
        read_occurrences(b"<html><body>Sign in</body></html>", FROM, UNTIL, UTC)
    assert str(caught.value).startswith("the calendar could not be read: ")
    assert "\n" not in str(caught.value)
    assert caught.value.kind == "calendar"


OTHERS = """
UID:team-1
DTSTART:20261203T090000Z
DTEND:20261203T093000Z
SUMMARY:Team stand-up
ATTENDEE;CN="Ops: Night shift":mailto:ops@ourco.example
"""

FOLDED = """
UID:folded-1
DTSTART:20261204T090000Z
DTEND:20261204T100000Z
SUMMARY:Demo
ATTENDEE;PARTSTAT=NEEDS-ACTION;CN="Reyes, Dana: Acme":mailto:priya.n
 air@globex.example
"""


def test_reading_only_events_that_invite_someone_gives_the_same_meetings() -> None:
    # WEEKLY invites Dana only in its moved instance's block and its master; FOLDED splits
    # an address across two lines, as calendars fold long lines.
    document = calendar(WEEKLY, MOVED, OTHERS, FOLDED)
    everyone = read_occurrences(document, FROM, UNTIL, UTC)
    wanted = {"dana@acme.io", "priya.nair@globex.example"}
    only = read_occurrences(document, FROM, UNTIL, UTC, inviting=wanted)
    assert only == [o for o in everyone if wanted & set(o.attendees)]
    assert {o.key.split("|")[0] for o in only} == {"weekly-1", "folded-1"}
    # Nobody wanted: nothing parsed, nothing returned, and no error either.
    assert read_occurrences(document, FROM, UNTIL, UTC, inviting=set()) == []


def test_of_a_crowded_meeting_only_the_people_looked_for_are_read() -> None:
    guests = "\n".join(
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:guest{n}@conf.example" for n in range(300)
    )
    crowded = calendar(f"{OTHERS}ATTENDEE;PARTSTAT=DECLINED:mailto:DANA@acme.io\n{guests}")
    [everyone] = read_occurrences(crowded, FROM, UNTIL, UTC)
    [only] = read_occurrences(crowded, FROM, UNTIL, UTC, inviting={"dana@acme.io"})
    assert len(everyone.attendees) == 302
    assert only.attendees == {"dana@acme.io": "DECLINED"}
    assert only._replace(attendees={}) == everyone._replace(attendees={})


def test_a_page_that_is_not_a_calendar_is_never_read_as_an_empty_one() -> None:
    # A sign-in page where the calendar was would otherwise cancel every meeting kept.
    with pytest.raises(CalendarError, match="not an iCalendar document"):
        read_occurrences(b"<html>Sign in</html>", FROM, UNTIL, UTC, inviting={"dana@acme.io"})
