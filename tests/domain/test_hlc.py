"""The hybrid logical clock: one device's stamps only go forward, whatever its wall clock does;
a received stamp is always overtaken; the text of stamps sorts as the stamps do."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followthrough.domain.hlc import (
    COUNTER_MAX,
    Clock,
    Hlc,
    format_hlc,
    parse_hlc,
    receive,
    tick,
)
from followthrough.errors import InvalidData

DEVICE = "a1b2c3d4e5f60718"
walls = st.integers(min_value=0, max_value=10**13)
counters = st.integers(min_value=0, max_value=COUNTER_MAX)
clocks = st.builds(Clock, walls, counters)
devices = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
# A device's view of time: each step either a local change at a physical time that may jump
# back by hours, or a stamp received from another device that may be hours ahead.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("local"), walls),
        st.tuples(st.just("receive"), walls, st.builds(Clock, walls, counters)),
    ),
    min_size=1,
    max_size=60,
)


def test_stamps_are_fixed_width_text_that_reads_back() -> None:
    text = format_hlc(Clock(1764860000000, 3), DEVICE)
    assert text == "001764860000000-00003-a1b2c3d4e5f60718"
    assert parse_hlc(text) == Hlc(1764860000000, 3, DEVICE)


def test_a_local_tick_follows_the_wall_clock_and_counts_within_a_millisecond() -> None:
    assert tick(Clock(100, 7), 250) == Clock(250, 0)
    assert tick(Clock(250, 0), 250) == Clock(250, 1)
    # The machine's clock went back an hour: the stamp still goes forward.
    assert tick(Clock(250, 1), 250 - 3_600_000) == Clock(250, 2)


def test_a_full_counter_carries_into_the_next_millisecond() -> None:
    assert tick(Clock(500, COUNTER_MAX), 10) == Clock(501, 0)
    assert receive(Clock(500, 3), Clock(500, COUNTER_MAX), 10) == Clock(501, 0)


def test_receiving_a_stamp_from_a_clock_hours_ahead_moves_past_it() -> None:
    ahead = Clock(10_800_000 + 1000, 4)
    after = receive(Clock(1000, 0), ahead, 1000)
    assert after == Clock(ahead.wall, 5)
    # The next local edit, still at the slow physical time, sorts after the received one.
    assert tick(after, 1001) > ahead


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1-2-x",
        "001764860000000-00003-",
        "001764860000000-3-abc",
        "abc",
        "0" * 15 + "-00000-a b",
    ],
)
def test_text_that_is_not_a_stamp_is_refused(text: str) -> None:
    with pytest.raises(InvalidData):
        parse_hlc(text)


@given(clocks, devices)
def test_format_and_parse_round_trip(clock: Clock, device: str) -> None:
    assert parse_hlc(format_hlc(clock, device)) == Hlc(clock.wall, clock.counter, device)


@given(steps)
def test_one_devices_stamps_strictly_increase_and_overtake_what_it_received(
    script: list[tuple[object, ...]],
) -> None:
    clock = Clock()
    for step in script:
        if step[0] == "local":
            after = tick(clock, int(step[1]))  # type: ignore[call-overload]
        else:
            remote = step[2]
            assert isinstance(remote, Clock)
            after = receive(clock, remote, int(step[1]))  # type: ignore[call-overload]
            assert after > remote, "a received stamp is always overtaken"
        assert after > clock, "never backwards, never the same twice"
        clock = after


@given(clocks, devices, clocks, devices)
def test_text_order_is_the_stamp_order(a: Clock, da: str, b: Clock, db: str) -> None:
    ta, tb = format_hlc(a, da), format_hlc(b, db)
    ha, hb = parse_hlc(ta), parse_hlc(tb)
    assert (ta < tb) == (ha < hb)
    assert (ta == tb) == (ha == hb)
    # A total order: two different stamps are never equal (the device breaks wall ties).
    assert ha == hb or (ha < hb) != (hb < ha)
