"""The numbers of the method: windows, thresholds, half-lives. Every one is a user setting."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from datetime import timedelta
from typing import Any

from followthrough.domain.states import State
from followthrough.errors import InvalidData


@dataclass(frozen=True)
class Policy:
    hot_silence_days: float = 2
    warm_silence_days: float = 7
    guard_touches: int = 3
    stall_hours: float = 24
    fade_days: float = 14
    proposal_views: int = 2
    proposal_views_hours: float = 72
    pricing_silence_hours: float = 48
    link_clicks: int = 2
    link_clicks_hours: float = 48
    drop_engagements: int = 3
    drop_quiet_days: float = 7
    drop_before_days: float = 14
    hot_half_life_days: float = 3
    warm_half_life_days: float = 10
    outcome_days: float = 7

    def silence_window(self, state: State) -> timedelta | None:
        if state is State.HOT:
            return timedelta(days=self.hot_silence_days)
        if state is State.WARM:
            return timedelta(days=self.warm_silence_days)
        return None

    def half_life(self, state: State) -> timedelta | None:
        if state is State.HOT:
            return timedelta(days=self.hot_half_life_days)
        if state is State.WARM:
            return timedelta(days=self.warm_half_life_days)
        return None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Policy:
        """What a person or a file asks for: unknown keys are ignored (a setting from a newer
        version); a value that is not a finite number within its range is refused."""
        known = {f.name for f in fields(cls)}
        changes = {key: checked(key, value) for key, value in (data or {}).items() if key in known}
        return replace(cls(), **changes)

    @classmethod
    def from_stored(cls, data: dict[str, Any] | None) -> Policy:
        """What the database holds, read without refusing: a value an older version allowed
        outside today's range is brought within it, and one that is not a number at all
        falls back to the default, so the app always starts and the engine never sees it."""
        known = {f.name for f in fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key not in known:
                continue
            low, high = RANGES[key]
            number = _as_number(key, value)
            if number is not None:
                changes[key] = _kind(key)(min(max(number, low), high))
        return replace(cls(), **changes)


INT_FIELDS = frozenset(f.name for f in fields(Policy) if f.type == "int")
HOURS_FIELDS = frozenset(f.name for f in fields(Policy) if f.name.endswith("_hours"))


def _range(name: str) -> tuple[float, float]:
    if name in INT_FIELDS:
        return (1, 99)  # touches, views, clicks, exchanges: a handful
    # From under a quarter of an hour (0.01 days) to more than a year; finer or longer is a slip.
    return (0.01, 9999) if name in HOURS_FIELDS else (0.01, 999)


# The one table of what each setting may be: the domain refuses anything else, the settings
# dialog's boxes take their ranges from it, and the CLI's `policy --set` goes through it.
RANGES: dict[str, tuple[float, float]] = {f.name: _range(f.name) for f in fields(Policy)}


def _kind(key: str) -> type:
    return int if key in INT_FIELDS else float


def _as_number(key: str, value: Any) -> float | None:
    """`value` as a finite number of the setting's kind; None when it is not one."""
    if isinstance(value, bool):
        return None  # True is 1 to Python, never to a person
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    if key in INT_FIELDS and not number.is_integer():
        return None
    return number


def checked(key: str, value: Any) -> Any:
    """A setting's value, refused unless it is a finite number within its range."""
    low, high = RANGES[key]
    number = _as_number(key, value)
    kind = "a whole number" if key in INT_FIELDS else "a number"
    if number is None:
        raise InvalidData(
            f"the setting {key} must be {kind} from {low:g} to {high:g}, not {_shown(value)}", key
        )
    if not low <= number <= high:
        raise InvalidData(
            f"the setting {key} must be from {low:g} to {high:g}, not {number:g}", key
        )
    return _kind(key)(number)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
