"""The silence counters derived from a timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followthrough.domain.signals import (
    SIGNAL_TRAITS,
    Direction,
    SignalKind,
    TimelineEntry,
    parse_signal_kind,
    summarize_touches,
)
from followthrough.errors import InvalidData

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def entry(hours: int, kind: SignalKind, direction: Direction | None = None) -> TimelineEntry:
    return TimelineEntry(
        T0 + timedelta(hours=hours), kind, direction or SIGNAL_TRAITS[kind].direction
    )


def test_outbound_touches_count_until_the_buyer_answers() -> None:
    timeline = [
        entry(0, SignalKind.SENT),
        entry(24, SignalKind.SENT),
        entry(48, SignalKind.PROPOSAL_SENT),
    ]
    summary = summarize_touches(timeline)
    assert summary.unanswered == 3
    assert summary.last_outbound_at == T0 + timedelta(hours=48)
    assert summary.last_inbound_at is None

    answered = summarize_touches([*timeline, entry(50, SignalKind.REPLIED)])
    assert answered.unanswered == 0
    assert answered.last_inbound_at == T0 + timedelta(hours=50)
    assert answered.last_outbound_at == T0 + timedelta(hours=48)


def test_viewing_a_proposal_is_engagement_but_not_an_answer() -> None:
    summary = summarize_touches(
        [entry(0, SignalKind.PROPOSAL_SENT), entry(5, SignalKind.PROPOSAL_VIEWED)]
    )
    assert summary.last_inbound_at == T0 + timedelta(hours=5)
    assert summary.unanswered == 1


@pytest.mark.parametrize(
    ("kind", "direction"),
    [
        (SignalKind.CALL, Direction.IN),
        (SignalKind.MEETING_BOOKED, Direction.IN),
        (SignalKind.MEETING_HELD, Direction.OUT),  # a meeting held answers whoever logged it
    ],
)
def test_calls_and_meetings_answer(kind: SignalKind, direction: Direction) -> None:
    summary = summarize_touches([entry(0, SignalKind.SENT), entry(1, kind, direction)])
    assert summary.unanswered == 0


def test_an_outbound_call_is_a_touch_and_notes_count_for_nothing() -> None:
    summary = summarize_touches(
        [entry(0, SignalKind.CALL), entry(1, SignalKind.NOTE), entry(2, SignalKind.MEETING_MISSED)]
    )
    assert summary.unanswered == 1
    assert summary.last_inbound_at is None


def test_order_of_arrival_does_not_matter_only_time_does() -> None:
    timeline = [
        entry(10, SignalKind.REPLIED),
        entry(0, SignalKind.SENT),
        entry(20, SignalKind.SENT),
    ]
    summary = summarize_touches(timeline)
    assert summary.unanswered == 1
    assert summary.last_outbound_at == T0 + timedelta(hours=20)


@given(
    st.lists(
        st.tuples(st.integers(0, 1000), st.sampled_from(list(SignalKind))),
        max_size=30,
    )
)
def test_counters_are_independent_of_input_order(items: list[tuple[int, SignalKind]]) -> None:
    # Distinct times, as ties between different kinds have no defined order.
    seen: dict[int, SignalKind] = dict(items)
    timeline = [entry(h, k) for h, k in seen.items()]
    forward = summarize_touches(timeline)
    assert summarize_touches(list(reversed(timeline))) == forward
    touches = sum(1 for e in timeline if e.kind in {"sent", "proposal_sent", "call"})
    assert 0 <= forward.unanswered <= touches


def test_kinds_are_read_leniently_and_unknown_ones_listed() -> None:
    assert parse_signal_kind("Proposal-Viewed") is SignalKind.PROPOSAL_VIEWED
    assert parse_signal_kind(" meeting missed ") is SignalKind.MEETING_MISSED
    with pytest.raises(InvalidData, match=r"unknown signal kind 'emailed'.*replied"):
        parse_signal_kind("emailed")
