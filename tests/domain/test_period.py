"""Reading `--since`: dates from their midnight, spans back from now, day words backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.period import Period, parse_since
from followthrough.errors import FieldError, InvalidData

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # a Friday
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("text", "since"),
    [
        ("30d", NOW - timedelta(days=30)),
        ("-8w", NOW - timedelta(weeks=8)),
        ("2026-10-01", datetime(2026, 10, 1, 0, 0, tzinfo=PARIS)),
        ("3mo", datetime(2026, 9, 4, 0, 0, tzinfo=PARIS)),
        ("mon", datetime(2026, 11, 30, 0, 0, tzinfo=PARIS)),
        ("today", datetime(2026, 12, 4, 0, 0, tzinfo=PARIS)),
        ("2026-11-01 14:00", datetime(2026, 11, 1, 14, 0, tzinfo=PARIS)),
    ],
)
def test_since_reads_as_a_person_means_it(text: str, since: datetime) -> None:
    assert parse_since(text, NOW, PARIS) == Period(since, NOW)


def test_a_start_in_the_future_is_refused_naming_the_field() -> None:
    for text in ("tomorrow", "+3d", "2027-01-01"):
        with pytest.raises(FieldError) as caught:
            parse_since(text, NOW, PARIS)
        assert caught.value.field == "since"
    with pytest.raises(InvalidData):
        parse_since("soon", NOW, PARIS)


def test_a_period_holds_its_start_and_not_its_end() -> None:
    period = Period.last(7, NOW)
    assert period.since in period
    assert NOW not in period
    assert period.seconds == 7 * 86400
