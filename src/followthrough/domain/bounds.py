"""The ranges every stored value keeps to, checked once here for every face (CLI, GUI, files).

A time outside 1970–2199 is a typo or an attack, never a follow-up, and near the ends of
Python's calendar (years 1 and 9999) it overflows as soon as it is shown in another zone. An
id beyond SQLite's 64-bit integers cannot name anything stored. Both are refused where the
value enters, so no later step ever meets one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from followthrough.domain.dates import day_words
from followthrough.errors import InvalidData, NotFound

FIRST_YEAR = 1970
LAST_YEAR = 2199
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
MAX_ID = 2**63 - 1  # SQLite's largest integer: no row can have a larger id

_ID = re.compile(r"#?([0-9]+)")  # ASCII digits only: "²".isdigit() is True, int("²") fails


def check_moment(moment: datetime, field: str = "time") -> datetime:
    """`moment`, if it falls within the years the app keeps; else a clear refusal."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a {field} must be timezone-aware")
    if not EARLIEST <= moment <= LATEST:
        raise InvalidData(_out_of_range(moment.astimezone(UTC).year), field)
    return moment


def check_year(day: date, field: str = "time") -> date:
    """A calendar day within the years the app keeps (before any zone arithmetic on it)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidData(_out_of_range(day.year), field)
    return day


def wall_clock(day: date, at: time, zone: tzinfo | None, field: str = "time") -> datetime:
    """The aware moment a person means by a wall-clock time; refused when there is none,
    or two.

    On the night the clocks go forward a local time such as 02:30 does not exist, and on the
    night they go back it happens twice. Picking one silently would move a follow-up by an
    hour without anyone noticing, so both are refused with the reason. `zone=None` is the
    system's local zone.
    """
    check_year(day, field)
    naive = datetime.combine(day, at)
    first = _aware(naive.replace(fold=0), zone)
    second = _aware(naive.replace(fold=1), zone)
    shown = f"{at:%H:%M} on {day_words(day)}"
    if _local(first, zone) != naive and _local(second, zone) != naive:
        raise InvalidData(
            f"{shown} does not exist: the clocks go forward that night; choose another time",
            field,
        )
    if first.utcoffset() != second.utcoffset():
        raise InvalidData(
            f"{shown} happens twice: the clocks go back that night; choose another time",
            field,
        )
    return first


def _out_of_range(year: int) -> str:
    return f"a date must fall between {FIRST_YEAR} and {LAST_YEAR}, not in the year {year}"


def _aware(naive: datetime, zone: tzinfo | None) -> datetime:
    # The naive value's astimezone() lets the C library pick the offset of the local zone.
    return naive.astimezone() if zone is None else naive.replace(tzinfo=zone)


def _local(moment: datetime, zone: tzinfo | None) -> datetime:
    """`moment` read back as a naive wall-clock time in the zone."""
    utc = moment.astimezone(UTC)
    return (utc.astimezone() if zone is None else utc.astimezone(zone)).replace(tzinfo=None)


def record_id(text: str, what: str) -> int | None:
    """The id a person typed ("12", "#12"), None when it is not one; beyond any id, not found."""
    match = _ID.fullmatch(text.strip())
    if match is None:
        return None
    digits = match[1].lstrip("0") or "0"
    if len(digits) > 19 or int(digits) > MAX_ID:
        raise NotFound(f"no {what} with id {digits[:24]}{'…' if len(digits) > 24 else ''}")
    return int(digits)
