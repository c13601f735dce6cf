"""The machine's zone as the services hand it to the domain: its own rules for each moment."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from followthrough.domain.dates import clock_time, day_month
from followthrough.services.clock import local_zone


def test_the_local_zone_follows_daylight_saving_moment_by_moment() -> None:
    zone = local_zone()  # Europe/Paris, as tests/conftest.py sets TZ
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC).astimezone(zone)
    winter = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).astimezone(zone)
    assert (summer.hour, summer.utcoffset()) == (14, timedelta(hours=2))
    assert (winter.hour, winter.utcoffset()) == (13, timedelta(hours=1))


def test_the_hour_the_clocks_go_back_over_reads_twice_and_maps_back() -> None:
    zone = local_zone()
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = first + timedelta(hours=1)
    shown = [moment.astimezone(zone) for moment in (first, second)]
    assert [clock_time(moment, zone) for moment in shown] == ["02:30", "02:30"]
    assert [moment.fold for moment in shown] == [0, 1]
    assert [moment.astimezone(UTC) for moment in shown] == [first, second]


def test_the_local_zone_is_read_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = datetime(2026, 11, 5, 22, 30, tzinfo=UTC)
    assert day_month(moment, local_zone()) == "5 Nov"
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    assert day_month(moment, local_zone()) == "6 Nov"
