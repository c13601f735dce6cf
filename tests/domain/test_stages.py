"""What our last touch was: the stage a timeline puts a lead in at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followthrough.domain.signals import SIGNAL_TRAITS, SignalKind, TimelineEntry
from followthrough.domain.stages import (
    STAGES,
    TOUCH_BUCKETS,
    Stage,
    stage_at,
    stage_of,
    touch_bucket,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def entry(hours: int, kind: SignalKind) -> TimelineEntry:
    return TimelineEntry(T0 + timedelta(hours=hours), kind, SIGNAL_TRAITS[kind].direction)


def test_stages_read_in_the_order_a_deal_goes_through_them() -> None:
    assert [stage.label for stage in STAGES] == [
        "First contact",
        "After a call or meeting",
        "After the proposal",
        "After pricing",
    ]


@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        (SignalKind.CALL, Stage.AFTER_MEETING),
        (SignalKind.MEETING_BOOKED, Stage.AFTER_MEETING),
        (SignalKind.MEETING_HELD, Stage.AFTER_MEETING),
        (SignalKind.MEETING_MISSED, Stage.AFTER_MEETING),
        (SignalKind.PROPOSAL_SENT, Stage.AFTER_PROPOSAL),
        (SignalKind.PROPOSAL_VIEWED, Stage.AFTER_PROPOSAL),
        (SignalKind.PRICING_DISCUSSED, Stage.AFTER_PRICING),
        (SignalKind.SENT, Stage.FIRST_CONTACT),
        (SignalKind.REPLIED, Stage.FIRST_CONTACT),
        (SignalKind.NOTE, Stage.FIRST_CONTACT),
    ],
)
def test_each_kind_names_its_stage(kind: SignalKind, stage: Stage) -> None:
    assert stage_at([entry(0, kind)], T0) is stage


def test_no_stage_signal_yet_is_first_contact() -> None:
    assert stage_of(None) is Stage.FIRST_CONTACT
    assert stage_of("state_change") is Stage.FIRST_CONTACT
    assert stage_at([], T0) is Stage.FIRST_CONTACT


def test_the_latest_stage_signal_at_or_before_the_moment_wins() -> None:
    timeline = [
        entry(5, SignalKind.PRICING_DISCUSSED),  # out of order on purpose
        entry(0, SignalKind.CALL),
        entry(2, SignalKind.PROPOSAL_SENT),
        entry(3, SignalKind.SENT),  # a plain message leaves the stage as it was
    ]
    assert stage_at(timeline, T0 - timedelta(hours=1)) is Stage.FIRST_CONTACT
    assert stage_at(timeline, T0) is Stage.AFTER_MEETING  # at the moment itself counts
    assert stage_at(timeline, T0 + timedelta(hours=4)) is Stage.AFTER_PROPOSAL
    assert stage_at(timeline, T0 + timedelta(hours=5)) is Stage.AFTER_PRICING


@pytest.mark.parametrize(
    ("unanswered", "bucket"),
    [(0, "1st"), (1, "1st"), (2, "2nd"), (3, "3rd or later"), (7, "3rd or later")],
)
def test_touch_number_buckets(unanswered: int, bucket: str) -> None:
    assert touch_bucket(unanswered) == bucket
    assert bucket in TOUCH_BUCKETS
