"""Showing stored UTC moments in the user's local time, the way people read dates.

The words come from domain/dates.py (English, whatever the machine's locale); this module
only says which zone: the machine's.
"""

from __future__ import annotations

from datetime import datetime

from followthrough.domain.dates import calendar_day, clock_time, date_and_time, day_words, same_year
from followthrough.services.clock import local_zone, utcnow


def local_day(moment: datetime) -> str:
    """'Mon 1 Mar 2027, 09:00' in local time (the year only when it is not this year)."""
    return f"{short_day(moment, utcnow())}, {clock_time(moment, local_zone())}"


def due_words(due: datetime, now: datetime) -> str:
    """Short form for a card: 'today 14:00', or 'Fri 27 Nov 09:00'."""
    zone = local_zone()
    day = calendar_day(due, zone)
    shown = "today" if day == calendar_day(now, zone) else day_words(day, year=False)
    return f"{shown} {clock_time(due, zone)}"


def local_date(moment: datetime) -> str:
    """'Tue 5 Jan 2027' in local time, always with the year: archives span years."""
    return day_words(calendar_day(moment, local_zone()))


def short_day(moment: datetime, now: datetime) -> str:
    """'Tue 5 Jan' in local time; with the year when it is not this year's."""
    zone = local_zone()
    return day_words(calendar_day(moment, zone), year=not same_year(moment, now, zone))


def moment_words(moment: datetime, now: datetime) -> str:
    """'Mon 23 Nov 10:00' in local time, with the year when it is not this year's."""
    return f"{short_day(moment, now)} {clock_time(moment, local_zone())}"


def editable_moment(moment: datetime) -> str:
    """'2026-11-23 10:00' in local time: a form parse_when reads back as the same minute."""
    return date_and_time(moment, local_zone())
