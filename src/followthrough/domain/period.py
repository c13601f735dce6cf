"""The span of time a report covers, and reading the `--since` a person types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from followthrough.domain.when import localize, parse_when
from followthrough.errors import FieldError

DEFAULT_DAYS = 60  # the method's audit window: the last 30–60 days
WEEK_DAYS = 7  # the momentum review looks at one week

# "30d", "8w", "3mo": a span back from now, the sign left out as people do.
_BARE_SPAN = re.compile(r"^\d{1,4}\s*(d|w|mo)$")
# Exact durations and anything with a clock time keep their moment; a day starts at midnight.
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*$")
_EXACT = re.compile(r"^[+-]\s*\d{1,4}\s*(min|m|h|d|w)$|:|am$|pm$")


@dataclass(frozen=True)
class Period:
    """[since, until): aware UTC moments."""

    since: datetime
    until: datetime

    @classmethod
    def last(cls, days: float, now: datetime) -> Period:
        return cls(now - timedelta(days=days), now)

    @property
    def seconds(self) -> float:
        return (self.until - self.since).total_seconds()

    def __contains__(self, moment: datetime) -> bool:
        return self.since <= moment < self.until


def parse_since(text: str, now: datetime, zone: tzinfo | None = None) -> Period:
    """The period from a typed start to `now`: a date (`2026-10-01`, from its midnight), a
    day word (`mon`: the last Monday), a span back (`30d`, `-8w`, `3mo`) or a moment."""
    cleaned = text.strip().casefold()
    if _BARE_SPAN.match(cleaned):
        cleaned = "-" + cleaned
    since = parse_when(cleaned, now, zone)
    if not _EXACT.search(cleaned):
        local = since.astimezone(zone) if zone else since.astimezone()
        since = localize(local.date(), time(0), zone)
        if since > now and _WEEKDAY.match(cleaned):  # "mon" is read forward: go to the last one
            since = localize(local.date() - timedelta(days=7), time(0), zone)
    if since >= now:
        raise FieldError(
            f"{{since}} must be in the past, not {text!r}",
            "since",
            names={"since": "the start of the period"},
        )
    return Period(since, now)
