"""Reading the times people type (`tomorrow`, `fri 14:00`, `+3d`, `+1mo`, `2026-12-01`).

Pure: the caller passes `now` and the zone to read local times in. A day without a time
means 09:00 local, the start of a working morning, so "due tomorrow" is due when work starts.

`+3d`, `+2w`, `+4h` and `+90m` are exact durations from now. Months are not a duration: `+1mo`
is the same day next month (the 31st becomes the month's last day), a day like `tomorrow`,
so it means 09:00 there unless a time follows (`+1mo 14:00`). "m" already means minutes,
hence "mo".
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from followthrough.domain.bounds import EARLIEST, check_moment, check_year, wall_clock
from followthrough.errors import InvalidData

DAY_START = time(9, 0)

_WEEKDAYS = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_OFFSET = re.compile(r"^([+-])\s*(\d{1,4})\s*(min|m|h|d|w)$")
_MONTHS = re.compile(r"^([+-])\s*(\d{1,4})\s*mo$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")

HINT = "try 2026-12-01, 2026-12-01 14:30, today, tomorrow, fri, fri 14:00, +3d, +2w, +1mo or +4h"


def localize(day: date, at: time, zone: tzinfo | None) -> datetime:
    """The aware datetime for a wall-clock time; `zone=None` means the system's local zone.

    Going through the naive value's `astimezone()` lets the C library pick the right UTC
    offset for that date, so a due date across a DST change lands on the intended hour.
    """
    naive = datetime.combine(day, at)
    if zone is None:
        return naive.astimezone()
    return naive.replace(tzinfo=zone)


def _parse_clock(text: str) -> time | None:
    match = _CLOCK.match(text)
    if not match:
        return None
    hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _split_clock(text: str) -> tuple[str, time | None]:
    """Separate a trailing clock time ('fri 14:00', 'tomorrow 9am') from the day part."""
    head, _, tail = text.rpartition(" ")
    if head:
        clock = _parse_clock(tail)
        if clock is not None:
            return head.strip(), clock
    return text, None


def add_months(day: date, months: int) -> date | None:
    """The same day `months` later (or earlier), clamped to the month's end; None past 9999."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        return None
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _parse_day(text: str, today: date) -> date | None:
    months = _MONTHS.match(text)
    if months:
        sign, amount = months.groups()
        return add_months(today, int(amount) if sign == "+" else -int(amount))
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text == "yesterday":
        return today - timedelta(days=1)
    if text in _WEEKDAYS:
        ahead = (_WEEKDAYS[text] - today.weekday()) % 7 or 7  # the *next* such day
        return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_when(text: str, now: datetime, zone: tzinfo | None = None) -> datetime:
    """Turn what the user typed into an aware datetime in UTC.

    `now` must be aware; relative forms count from it, day forms use its local date. Every
    result falls within the years the app keeps, and a wall-clock time that does not exist
    or happens twice (a daylight-saving change) is refused rather than shifted (bounds.py).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = text
    text = " ".join(text.strip().casefold().split())
    if not text:
        raise InvalidData(f"empty time ({HINT})", "when")
    if text == "now":
        return check_moment(now.astimezone(UTC), "when")

    offset = _OFFSET.match(text)
    if offset:
        sign, amount, unit = offset.groups()
        delta = timedelta(**{_UNITS[unit]: int(amount)})
        try:
            moment = now + delta if sign == "+" else now - delta
        except OverflowError:
            moment = datetime.max.replace(tzinfo=UTC) if sign == "+" else EARLIEST - delta
        return check_moment(moment.astimezone(UTC), "when")

    local_now = now.astimezone(zone) if zone is not None else now.astimezone()
    day_text, clock = _split_clock(text)
    day = _parse_day(day_text, local_now.date())
    if day is not None:
        return wall_clock(day, clock or DAY_START, zone, "when").astimezone(UTC)

    try:
        parsed = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidData(f"cannot read '{raw}' as a time ({HINT})", "when") from None
    if parsed.tzinfo is None:
        return wall_clock(parsed.date(), parsed.time(), zone, "when").astimezone(UTC)
    check_year(parsed.date(), "when")  # before converting: year 1 at +01:00 overflows
    return check_moment(parsed.astimezone(UTC), "when")
