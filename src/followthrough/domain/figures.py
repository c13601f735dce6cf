"""The arithmetic of the reports: rates that refuse to speak from too few cases, medians,
percentiles and spreads of durations, and the words for a duration.

Pure and small on purpose: every face (GUI, CLI, HTML) shows these same numbers, and the
small-sample rule lives here once.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# Below this many cases a share is noise: the count is shown, the rate is not.
MIN_CASES = 5

DAY = 86400.0


@dataclass(frozen=True)
class Rate:
    """`hits` of `cases`, with the share only when there are enough cases to mean something."""

    hits: int
    cases: int

    @property
    def value(self) -> float | None:
        if self.cases < MIN_CASES:
            return None
        return self.hits / self.cases

    @property
    def percent(self) -> int | None:
        value = self.value
        return None if value is None else round(value * 100)

    def words(self) -> str:
        """`9 of 14 (64 %)`, or `2 of 3 (too few to rate)`."""
        percent = self.percent
        if self.cases == 0:
            return "none yet"
        shown = f"{self.hits} of {self.cases}"
        return f"{shown} (too few to rate)" if percent is None else f"{shown} ({percent} %)"

    def to_json(self) -> dict[str, int | float | None]:
        value = self.value
        return {
            "hits": self.hits,
            "cases": self.cases,
            "rate": None if value is None else round(value, 4),
        }


def median(values: Sequence[float]) -> float | None:
    """The middle value; None for no values (a report shows a dash, not a zero)."""
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The value below which `share` (0..1) of `values` lie, nearest-rank (no interpolation:
    a figure a person can find in the list)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def variance(values: Sequence[float]) -> float | None:
    """The population variance; None below two values."""
    return statistics.pvariance(values) if len(values) >= 2 else None


def duration_words(seconds: float | None) -> str:
    """`45 min`, `6 h`, `3.5 days`: a duration at the scale a person thinks of it."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < DAY:
        hours = round(seconds / 3600, 1)
        return f"{hours:g} h"
    days = round(seconds / DAY, 1)
    return f"{days:g} day" + ("" if days == 1 else "s")
