"""The hybrid logical clock that stamps every synced change (issue 18).

An HLC is a wall-clock millisecond plus a counter plus the device that wrote it. It never goes
backwards on one device, even when the machine's clock does, and it moves past every stamp the
device has received, so an edit made after seeing another device's edit always sorts after it:
clocks that disagree by hours cannot reorder one person's edits.

Written as text that sorts like the clock itself ("001764860000000-00003-a1b2c3d4e5f60718"), so the
store can compare stamps with `>` and keep them in TEXT columns. The store's triggers
(store/sync_schema.py) compute the same local tick in SQL; this module is the reference they
are tested against, and what the services use when they stamp outside a trigger.

Pure: the caller passes the physical time, `now_ms` (its clock plus any configured skew).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from followthrough.errors import InvalidData

WALL_DIGITS = 15
COUNTER_DIGITS = 5
# A counter past this would lose its fixed width (and the text order): the wall moves on a
# millisecond instead, as the HLC paper allows (the wall then runs slightly ahead).
COUNTER_MAX = 10**COUNTER_DIGITS - 1
WALL_MAX = 10**WALL_DIGITS - 1

_HLC = re.compile(rf"^(\d{{{WALL_DIGITS}}})-(\d{{{COUNTER_DIGITS}}})-([0-9A-Za-z_]+)$")


@dataclass(frozen=True, order=True)
class Clock:
    """A device's clock state: the largest wall time seen and the counter within it."""

    wall: int = 0
    counter: int = 0


@dataclass(frozen=True, order=True)
class Hlc:
    """One stamp. Ordered by (wall, counter, device), exactly as its text sorts."""

    wall: int
    counter: int
    device: str

    @property
    def clock(self) -> Clock:
        return Clock(self.wall, self.counter)


def format_hlc(clock: Clock, device: str) -> str:
    if not 0 <= clock.wall <= WALL_MAX or not 0 <= clock.counter <= COUNTER_MAX:
        raise InvalidData(f"clock out of range: {clock}", "hlc")
    if not device or not re.fullmatch(r"[0-9A-Za-z_]+", device):
        raise InvalidData(f"not a device id: {device!r}", "hlc")
    return f"{clock.wall:0{WALL_DIGITS}d}-{clock.counter:0{COUNTER_DIGITS}d}-{device}"


def parse_hlc(text: str) -> Hlc:
    match = _HLC.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidData(f"not a clock stamp: {text!r}", "hlc")
    return Hlc(int(match[1]), int(match[2]), match[3])


def _bump(wall: int, counter: int) -> Clock:
    """`counter` within `wall`, carried into the next millisecond past the counter's width."""
    if counter > COUNTER_MAX:
        return Clock(wall + 1, 0)
    return Clock(wall, counter)


def tick(clock: Clock, now_ms: int) -> Clock:
    """The clock after a local change at physical time `now_ms`: strictly after `clock`."""
    if now_ms > clock.wall:
        return Clock(now_ms, 0)
    return _bump(clock.wall, clock.counter + 1)


def receive(clock: Clock, remote: Clock, now_ms: int) -> Clock:
    """The clock after receiving a stamp `remote`: after both `clock` and `remote`."""
    wall = max(clock.wall, remote.wall, now_ms)
    if wall == clock.wall == remote.wall:
        return _bump(wall, max(clock.counter, remote.counter) + 1)
    if wall == clock.wall:
        return _bump(wall, clock.counter + 1)
    if wall == remote.wall:
        return _bump(wall, remote.counter + 1)
    return Clock(wall, 0)


DEVICE_NAME_MAX = 64


def check_device_name(name: str) -> str:
    """The name a person gives this machine ("Laptop"), as other devices will show it."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidData("a device name cannot be empty", "device_name")
    if len(cleaned) > DEVICE_NAME_MAX:
        raise InvalidData(f"a device name has at most {DEVICE_NAME_MAX} characters", "device_name")
    return cleaned
