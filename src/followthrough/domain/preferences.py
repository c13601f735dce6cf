"""How the app behaves around the method: notifications, working hours, the sender's identity.

The method's numbers live in `Policy`; these are the person's own habits. Pure: the working-hours
arithmetic takes the moment and the zone it is asked about.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from followthrough.domain.leadfields import clean_optional
from followthrough.errors import InvalidData

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SIGNATURE = 2000


@dataclass(frozen=True)
class Preferences:
    notifications: bool = True  # desktop notifications for new alerts
    quiet: bool = False  # quiet mode: nothing pops up; the tray and Today list still count
    work_start: str = "09:00"  # local time, HH:MM
    work_end: str = "18:00"
    work_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    sender_name: str = ""  # signs the drafts
    signature: str = ""
    tray_notice_shown: bool = False  # "still running in the tray" is said once
    sender_asked: bool = False  # the first draft asked how to sign (asked once, answered or not)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["work_days"] = list(self.work_days)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Preferences:
        """Unknown keys are ignored (from a newer version); bad values are refused by name."""
        known = {f.name for f in fields(cls)}
        changes = {k: v for k, v in (data or {}).items() if k in known}
        prefs = replace(cls(), **changes)
        return prefs.checked()

    def checked(self) -> Preferences:
        for key in ("notifications", "quiet", "tray_notice_shown", "sender_asked"):
            if not isinstance(getattr(self, key), bool):
                raise InvalidData(f"the setting {key} must be true or false", key)
        start = parse_clock(self.work_start, "work_start")
        end = parse_clock(self.work_end, "work_end")
        if end <= start:
            raise InvalidData("working hours must end after they start", "work_end")
        days = tuple(str(d).strip().casefold()[:3] for d in self.work_days)
        unknown = [d for d in days if d not in WEEKDAYS]
        if unknown:
            raise InvalidData(f"unknown working day {unknown[0]!r} (use mon…sun)", "work_days")
        if not days:
            raise InvalidData("choose at least one working day", "work_days")
        for key in ("sender_name", "signature"):
            if not isinstance(getattr(self, key), str):
                raise InvalidData(f"the setting {key} must be text", key)
        if len(self.sender_name) > 200:
            raise InvalidData("the sender name is longer than 200 characters", "sender_name")
        if len(self.signature) > MAX_SIGNATURE:
            raise InvalidData(
                f"the signature is longer than {MAX_SIGNATURE} characters", "signature"
            )
        ordered = tuple(d for d in WEEKDAYS if d in days)
        # The same rules as every text field: they end up in messages sent to buyers.
        sender = clean_optional(self.sender_name, "sender name", 200) or ""
        signature = clean_optional(self.signature, "signature", MAX_SIGNATURE, multiline=True)
        return replace(
            self,
            work_start=start.strftime("%H:%M"),
            work_end=end.strftime("%H:%M"),
            work_days=ordered,
            sender_name=sender,
            signature=(signature or "").strip("\n"),
        )

    # --- working hours -------------------------------------------------------------------

    def is_working_time(self, moment: datetime, zone: tzinfo | None = None) -> bool:
        """Is `moment` inside the working hours, read on the local clock of `zone`?"""
        local = moment.astimezone(zone)
        if WEEKDAYS[local.weekday()] not in self.work_days:
            return False
        return parse_clock(self.work_start) <= local.time() < parse_clock(self.work_end)

    def next_working_start(self, moment: datetime, zone: tzinfo | None = None) -> datetime:
        """`moment` itself when it is working time, else when the next working period begins.

        Returned in the same zone as `moment` (UTC in, UTC out).
        """
        if self.is_working_time(moment, zone):
            return moment
        local = moment.astimezone(zone)
        start = parse_clock(self.work_start)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if WEEKDAYS[day.weekday()] not in self.work_days:
                continue
            # Built from the wall clock of that day, so a DST change in between is honoured.
            naive = datetime.combine(day, start)
            opening = naive.astimezone() if zone is None else naive.replace(tzinfo=zone)
            if opening > moment:
                return opening.astimezone(moment.tzinfo)
        raise AssertionError("a week always holds a working day")  # checked() ensures it


def parse_clock(text: str, field: str = "time") -> time:
    """'9:00', '09:30', '18' → a time of day; anything else is refused by name."""
    raw = str(text).strip()
    hours, _, minutes = raw.partition(":")
    try:
        value = time(int(hours), int(minutes or 0))
    except ValueError:
        raise InvalidData(f"{raw!r} is not a time of day (use HH:MM)", field) from None
    return value
