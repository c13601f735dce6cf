"""The report arithmetic: the small-sample rule, medians, percentiles, spreads, durations."""

from __future__ import annotations

import pytest

from followthrough.domain.figures import (
    MIN_CASES,
    Rate,
    duration_words,
    median,
    percentile,
    variance,
)


def test_a_rate_from_fewer_than_five_cases_is_a_count_not_a_share() -> None:
    assert MIN_CASES == 5
    few = Rate(2, 4)
    assert (few.value, few.percent, few.words()) == (None, None, "2 of 4 (too few to rate)")
    enough = Rate(2, 5)
    assert (enough.value, enough.percent, enough.words()) == (0.4, 40, "2 of 5 (40 %)")
    assert Rate(0, 0).words() == "none yet"
    assert Rate(9, 14).to_json() == {"hits": 9, "cases": 14, "rate": 0.6429}
    assert Rate(1, 3).to_json() == {"hits": 1, "cases": 3, "rate": None}


def test_median_percentile_and_variance_of_durations() -> None:
    values = [60.0, 120.0, 180.0, 3600.0]
    assert median(values) == 150.0
    assert median([]) is None
    assert percentile(values, 0.9) == 3600.0  # nearest rank: a value from the list
    assert percentile(values, 0.5) == 120.0
    assert percentile([], 0.9) is None
    assert variance([2.0, 4.0]) == 1.0
    assert variance([5.0]) is None


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(None, "—"), (20, "1 min"), (45 * 60, "45 min"), (6 * 3600, "6 h"), (5400, "1.5 h"),
     (86400, "1 day"), (3.5 * 86400, "3.5 days")],
)  # fmt: skip
def test_a_duration_reads_at_the_scale_a_person_thinks_of_it(
    seconds: float | None, words: str
) -> None:
    assert duration_words(seconds) == words
