"""Reading typed times: relative, named days, ISO, in the user's zone, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData

PARIS = ZoneInfo("Europe/Paris")
# Monday 23 Nov 2026, 11:00 in Paris.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def local(text: str) -> datetime:
    return parse_when(text, NOW, PARIS).astimezone(PARIS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", datetime(2026, 11, 23, 9, 0)),
        ("tomorrow", datetime(2026, 11, 24, 9, 0)),
        ("Tomorrow 14:30", datetime(2026, 11, 24, 14, 30)),
        ("tomorrow 3pm", datetime(2026, 11, 24, 15, 0)),
        ("yesterday", datetime(2026, 11, 22, 9, 0)),
        ("fri", datetime(2026, 11, 27, 9, 0)),
        ("Friday 10:00", datetime(2026, 11, 27, 10, 0)),
        ("mon", datetime(2026, 11, 30, 9, 0)),  # today is Monday: the *next* Monday
        ("2026-12-01", datetime(2026, 12, 1, 9, 0)),
        ("2026-12-01 14:30", datetime(2026, 12, 1, 14, 30)),
        ("2026-12-01T14:30", datetime(2026, 12, 1, 14, 30)),
        ("+1mo", datetime(2026, 12, 23, 9, 0)),  # a calendar month, in the morning
        ("+3mo", datetime(2027, 2, 23, 9, 0)),
        ("+1 mo 14:00", datetime(2026, 12, 23, 14, 0)),
        ("-1mo", datetime(2026, 10, 23, 9, 0)),
        ("+12mo", datetime(2027, 11, 23, 9, 0)),
    ],
)
def test_day_forms_are_local_wall_clock_times(text: str, expected: datetime) -> None:
    assert local(text).replace(tzinfo=None) == expected


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("+3d", timedelta(days=3)),
        ("+2w", timedelta(weeks=2)),
        ("+4h", timedelta(hours=4)),
        ("+90m", timedelta(minutes=90)),
        ("-2d", timedelta(days=-2)),
        ("now", timedelta(0)),
    ],
)
def test_relative_forms_count_from_now(text: str, delta: timedelta) -> None:
    assert parse_when(text, NOW, PARIS) == NOW + delta


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        (datetime(2027, 1, 31, 10, 0, tzinfo=UTC), "+1mo", datetime(2027, 2, 28, 9, 0)),
        (datetime(2028, 1, 31, 10, 0, tzinfo=UTC), "+1mo", datetime(2028, 2, 29, 9, 0)),
        (datetime(2026, 11, 30, 10, 0, tzinfo=UTC), "+3mo", datetime(2027, 2, 28, 9, 0)),
        (datetime(2027, 3, 31, 10, 0, tzinfo=UTC), "-1mo", datetime(2027, 2, 28, 9, 0)),
        # 23:30 UTC on 31 Jan is already 1 Feb in Paris: the local date counts.
        (datetime(2027, 1, 31, 23, 30, tzinfo=UTC), "+1mo", datetime(2027, 3, 1, 9, 0)),
    ],
)
def test_months_keep_the_day_and_clamp_to_the_months_end(
    now: datetime, text: str, expected: datetime
) -> None:
    assert parse_when(text, now, PARIS).astimezone(PARIS).replace(tzinfo=None) == expected


def test_a_month_across_the_dst_change_is_still_nine_in_the_morning() -> None:
    winter = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)  # CET; a month later Paris is on CEST
    result = parse_when("+1mo", winter, PARIS)
    assert result == datetime(2027, 4, 15, 7, 0, tzinfo=UTC)


def test_m_stays_minutes_and_mo_is_months() -> None:
    assert parse_when("+1m", NOW, PARIS) == NOW + timedelta(minutes=1)
    assert parse_when("+1mo", NOW, PARIS) != NOW + timedelta(minutes=1)


def test_explicit_offset_is_respected_and_result_is_utc() -> None:
    result = parse_when("2026-12-01T14:30+05:30", NOW, PARIS)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert parse_when("2026-12-01T09:00Z", NOW, PARIS) == datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_a_date_after_the_dst_change_keeps_its_wall_clock_hour() -> None:
    summer = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)  # before Paris moves to CEST
    result = parse_when("2026-04-02", summer, PARIS)
    assert result == datetime(2026, 4, 2, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert result.astimezone(PARIS).hour == 9


def test_system_zone_is_used_when_none_is_given(local_zone: str) -> None:
    # conftest puts the process in Europe/Paris.
    assert parse_when("2026-12-01", NOW) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "someday",
        "2026-13-01",
        "+3y",
        "fri 25:00",
        "13pm",
        "2026-02-30",
        "3d",
        "1mo",
        "+99999mo",
        "+1mon",
    ],
)
def test_unreadable_times_say_what_would_work(text: str) -> None:
    with pytest.raises(InvalidData) as caught:
        parse_when(text, NOW, PARIS)
    assert "tomorrow" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_when("today", NOW.replace(tzinfo=None), PARIS)


@given(st.text(max_size=40))
def test_any_text_either_parses_to_utc_or_raises_invalid_data(text: str) -> None:
    try:
        result = parse_when(text, NOW, PARIS)
    except InvalidData:
        return
    assert result.tzinfo is UTC
