"""Turning one imported record into a lead, or into the reason it cannot be one.

Pure: `csvread.lead_fields` hands over the cells by field; this checks them with the same
rules as a lead typed by hand and settles what spreadsheets leave open (a state written in
another tool's words, a due date without a step, a parked lead without a date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple

from followthrough.domain.leadfields import (
    clean_email,
    clean_name,
    clean_optional,
    clean_phone,
    clean_tags,
)
from followthrough.domain.leads import REASON_MAX, STEP_MAX
from followthrough.domain.states import State
from followthrough.domain.when import DAY_START, localize, parse_when
from followthrough.errors import InvalidData

# A lead in a spreadsheet is one nobody is talking to this week: it starts in Warm, where
# the silence window is the longer one, unless the file says otherwise.
DEFAULT_STATE = State.WARM
# A parked lead needs a day to come back to; a file rarely has one. A quarter is the
# usual horizon for "not now" in small-company sales.
DEFAULT_PARK = timedelta(days=91)
# A due date with no step still means "do something by then".
DEFAULT_STEP = "Follow up"
# Notes become a timeline entry; as long as a cell may be (csvread.read_rows).
NOTES_MAX = 10_000

# How other tools name their stages, by the column we read them into (after `_state_key`).
_STATE_WORDS: dict[str, State] = {
    **{state.value: state for state in State},
    # Hot: a conversation with momentum.
    "opportunity": State.HOT,
    "salesqualifiedlead": State.HOT,
    "sql": State.HOT,
    "inprogress": State.HOT,
    "opendeal": State.HOT,
    "negotiation": State.HOT,
    "negotiationsstarted": State.HOT,
    "proposalmade": State.HOT,
    "active": State.HOT,
    # Warm: known, not in motion.
    "lead": State.WARM,
    "new": State.WARM,
    "open": State.WARM,
    "subscriber": State.WARM,
    "marketingqualifiedlead": State.WARM,
    "mql": State.WARM,
    "attemptedtocontact": State.WARM,
    "connected": State.WARM,
    "contactmade": State.WARM,
    "qualified": State.WARM,
    "prospect": State.WARM,
    # Recycle: parked on purpose.
    "recycled": State.RECYCLE,
    "nurture": State.RECYCLE,
    "parked": State.RECYCLE,
    "badtiming": State.RECYCLE,
    "later": State.RECYCLE,
    # Closed.
    "closedwon": State.WON,
    "customer": State.WON,
    "evangelist": State.WON,
    "closedlost": State.LOST,
    "unqualified": State.LOST,
}


@dataclass(frozen=True)
class RowProblem:
    """Why a record was left out: its 1-based line in the file, the field, the reason."""

    line: int
    field: str | None
    reason: str


class ImportedLead(NamedTuple):
    """A record that passed every check, ready to be written or merged (a tuple: cheap)."""

    line: int
    name: str
    email: str | None
    company: str | None
    phone: str | None
    state: State
    next_step: str | None
    next_step_due: datetime | None
    recycle_until: datetime | None
    recycle_reason: str | None
    tags: tuple[str, ...]
    notes: str | None


def _state_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


@lru_cache(maxsize=256)  # a file has a handful of distinct states
def parse_import_state(text: str) -> State:
    state = _STATE_WORDS.get(_state_key(text))
    if state is None:
        raise InvalidData(
            f"unknown state '{text[:40]}' (use hot, warm, recycle, won or lost)", "state"
        )
    return state


# Day-first and month-first dates are only read when the day gives it away (over 12).
_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:\s+(\d{1,2}):(\d{2})(?::\d{2})?)?$")


# A file repeats its dates thousands of times; reading each once halves a large import.
@lru_cache(maxsize=4096)
def parse_import_date(text: str, now: datetime, zone: tzinfo | None) -> datetime:
    """ISO dates and times, the app's own words ('tomorrow'), and unambiguous d/m/y or m/d/y."""
    match = _SLASHED.match(text.strip())
    if match is None:
        return parse_when(text, now, zone)
    first, second, year = int(match[1]), int(match[2]), int(match[3])
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        day, month = second, first
    else:
        raise InvalidData(
            f"the date '{text}' could be day/month or month/day; write it as YYYY-MM-DD", "due"
        )
    try:
        moment = date(year, month, day)
    except ValueError:
        raise InvalidData(f"'{text}' is not a date", "due") from None
    clock = time(int(match[4]), int(match[5])) if match[4] else DAY_START
    if clock.hour > 23:
        raise InvalidData(f"'{text}' is not a time", "due")
    return localize(moment, clock, zone).astimezone(UTC)


def imported_lead(
    fields: dict[str, str], line: int, now: datetime, zone: tzinfo | None = None
) -> ImportedLead:
    """Check one record's fields (from `csvread.lead_fields`); InvalidData names the field."""
    if "name" not in fields:
        raise InvalidData("no name (map a Name column, or First and Last name)", "name")
    name = clean_name(fields["name"])
    email = clean_email(fields.get("email"))
    phone = clean_phone(fields.get("phone"))
    company = clean_optional(fields.get("company"), "company", 300)
    state = parse_import_state(fields["state"]) if "state" in fields else DEFAULT_STATE
    step = clean_optional(fields.get("next_step"), "next step", STEP_MAX)
    due_text = fields.get("due")
    due = parse_import_date(due_text, now, zone) if due_text else None
    until, reason = None, None
    if state is State.RECYCLE:
        # The day to come back: its own column, else the due date, else the default. A day
        # already past is kept: the lead is due for a second look, and the engine says so.
        until_text = fields.get("recycle_until")
        until = parse_import_date(until_text, now, zone) if until_text else due
        if until is None:
            until = _park_default(now, zone)
        reason = clean_optional(fields.get("recycle_reason"), "reason", REASON_MAX)
        due, step = None, None
    elif due is not None and step is None:
        step = DEFAULT_STEP
    notes = clean_optional(fields.get("notes"), "notes", NOTES_MAX)
    tags = tuple(clean_tags(fields["tags"].split(","))) if "tags" in fields else ()
    return ImportedLead(
        line=line,
        name=name,
        email=email,
        company=company,
        phone=phone,
        state=state,
        next_step=step,
        next_step_due=due if step else None,
        recycle_until=until,
        recycle_reason=reason,
        tags=tags,
        notes=notes,
    )


def _park_default(now: datetime, zone: tzinfo | None) -> datetime:
    local = now.astimezone(zone) if zone is not None else now.astimezone()
    return localize(local.date() + DEFAULT_PARK, DAY_START, zone).astimezone(UTC)


def problem_of(error: InvalidData, line: int) -> RowProblem:
    return RowProblem(line, error.field, error.message)
