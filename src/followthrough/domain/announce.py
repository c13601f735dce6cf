"""Which new alerts pop up on the desktop, when, and in how many notifications.

Pure: the caller passes the alerts a tick raised, the person's preferences, `now` and the
zone working hours are read in. A notification is an interruption, so: none in quiet mode,
none outside working hours (they wait for the next working start), and a burst becomes one
summary rather than a stack of pop-ups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from followthrough.domain.preferences import Preferences

# More than this many at once reads as noise: they are summed up in one notification.
MOST_AT_ONCE = 3
NAMED_IN_SUMMARY = 2


class RaisedAlert(Protocol):
    """What announcing needs to know of an alert (the services' AlertView fits)."""

    @property
    def id(self) -> int: ...

    @property
    def lead_id(self) -> int: ...

    @property
    def lead_name(self) -> str: ...

    @property
    def reason(self) -> str: ...


@dataclass(frozen=True)
class Announcement:
    title: str
    body: str
    alert_id: int | None = None  # one alert: its notification offers Draft / Snooze / Done
    lead_id: int | None = None  # clicking opens this lead; None means the Today list

    @property
    def actionable(self) -> bool:
        return self.alert_id is not None


@dataclass(frozen=True)
class AnnouncePlan:
    now: tuple[Announcement, ...] = ()
    later: tuple[int, ...] = ()  # alert ids to announce when the working period starts
    later_at: datetime | None = None


def plan_announcements(
    raised: Sequence[RaisedAlert],
    prefs: Preferences,
    now: datetime,
    zone: tzinfo | None = None,
) -> AnnouncePlan:
    """What to announce now, and what to hold back until working time."""
    if not raised or not prefs.notifications or prefs.quiet:
        # Quiet mode drops the pop-up, not the alert: Today and the tray still count it.
        return AnnouncePlan()
    if not prefs.is_working_time(now, zone):
        return AnnouncePlan(
            later=tuple(alert.id for alert in raised),
            later_at=prefs.next_working_start(now, zone),
        )
    return AnnouncePlan(now=announcements(raised))


def announcements(raised: Sequence[RaisedAlert]) -> tuple[Announcement, ...]:
    """One notification per alert, or a single summary when there are too many."""
    if len(raised) <= MOST_AT_ONCE:
        return tuple(
            Announcement(alert.lead_name, alert.reason, alert.id, alert.lead_id) for alert in raised
        )
    return (summary(raised),)


def summary(raised: Sequence[RaisedAlert]) -> Announcement:
    """'4 leads need you' / 'Ana Silva, Bo Chen and 2 more'."""
    names: dict[int, str] = {}
    for alert in raised:
        names.setdefault(alert.lead_id, alert.lead_name)
    if len(names) == 1:
        ((lead_id, name),) = names.items()
        return Announcement(f"{name} needs you", f"{len(raised)} new alerts", None, lead_id)
    listed = list(names.values())
    shown, rest = listed[:NAMED_IN_SUMMARY], listed[NAMED_IN_SUMMARY:]
    if len(rest) == 1:
        body = f"{', '.join(shown)} and {rest[0]}"
    elif rest:
        body = f"{', '.join(shown)} and {len(rest)} more"
    else:
        body = " and ".join(shown)
    return Announcement(f"{len(names)} leads need you", body)
