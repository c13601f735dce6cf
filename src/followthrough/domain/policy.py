"""The numbers of the method: windows, thresholds, half-lives. Every one is a user setting."""

from __future__ import annotations

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
        """Unknown keys are ignored (a setting from a newer version); bad values refused."""
        known = {f.name: f for f in fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key in known:
                changes[key] = _number(key, value, int if known[key].type == "int" else float)
        return replace(cls(), **changes)


def _number(key: str, value: Any, kind: type) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise InvalidData(f"the setting {key} must be a number, not {value!r}", key) from None
    if number <= 0:
        raise InvalidData(f"the setting {key} must be more than 0", key)
    return number
