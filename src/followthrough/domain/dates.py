"""How every face words a moment: "Tue 5 Jan", "3 Nov", "09:00", in a zone it is given.

Month and weekday names come from the tables below, never from strftime's %a/%b, which
follow the process's locale ("5 nov." under a French one) while the rest of the app speaks
English. The zone is a parameter: the domain never reads the machine's zone or clock; the
UI and the CLI pass the local zone (services/clock.py), tests pass the one they mean.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def month_name(day: date) -> str:
    return MONTHS[day.month - 1]


def weekday_name(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def day_month(moment: datetime, zone: tzinfo) -> str:
    """'3 Nov': how a person names a recent day."""
    local = moment.astimezone(zone)
    return f"{local.day} {month_name(local)}"


def clock_time(moment: datetime, zone: tzinfo) -> str:
    """'09:05' on a 24-hour clock."""
    local = moment.astimezone(zone)
    return f"{local.hour:02d}:{local.minute:02d}"


def date_and_time(moment: datetime, zone: tzinfo) -> str:
    """'2026-11-03 09:05': a form parse_when reads back as the same minute."""
    local = moment.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {clock_time(local, zone)}"


def day_and_clock(moment: datetime, zone: tzinfo, *, year: bool = False) -> str:
    """'Mon 23 Nov 11:00' ('Mon 23 Nov 2026 11:00' with the year) in `zone`: a moment in a
    report's table. One conversion, because a busy week words thousands of moments."""
    local = moment.astimezone(zone)
    day = f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"
    shown = f"{day} {local.year}" if year else day
    return f"{shown} {local.hour:02d}:{local.minute:02d}"


def day_words(day: date, *, year: bool = True, padded: bool = False) -> str:
    """'Tue 5 Jan 2027' ('Tue 05 Jan' padded, without the year): a calendar day."""
    number = f"{day.day:02d}" if padded else str(day.day)
    shown = f"{weekday_name(day)} {number} {month_name(day)}"
    return f"{shown} {day.year}" if year else shown


def same_year(moment: datetime, now: datetime, zone: tzinfo) -> bool:
    """Whether the moment falls in the current year where the person is: if so, the
    year goes without saying."""
    return moment.astimezone(zone).year == now.astimezone(zone).year


def calendar_day(moment: datetime, zone: tzinfo) -> date:
    """The calendar day the moment falls on in the zone."""
    return moment.astimezone(zone).date()
