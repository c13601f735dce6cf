"""Every rule at the edges of its window: one minute before it stays quiet, one after it fires."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.leadfacts import HandledAlert, LeadFacts, reactivation_time
from followthrough.domain.policy import Policy
from followthrough.domain.rules import Plan, plan
from followthrough.domain.signals import SIGNAL_TRAITS, Direction, SignalKind, TimelineEntry
from followthrough.domain.states import State

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
MINUTE = timedelta(minutes=1)
POLICY = Policy()
PARIS = ZoneInfo("Europe/Paris")  # the reader's zone: reasons name days on their calendar


def ev(at: datetime, kind: SignalKind, direction: Direction | None = None) -> TimelineEntry:
    return TimelineEntry(at, kind, direction or SIGNAL_TRAITS[kind].direction)


def facts(state: State = State.HOT, *events: TimelineEntry, **fields: object) -> LeadFacts:
    base = LeadFacts(
        state=state,
        state_since=T0,
        next_step="Call",
        next_step_due=None,
        recycle_until=None,
        recycle_reason=None,
        timeline=tuple(sorted(events, key=lambda e: e.at)),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def fires(f: LeadFacts, rule: str, at: datetime) -> bool:
    return rule in plan(f, POLICY, at).firing


def assert_edge(f: LeadFacts, rule: str, moment: datetime) -> Plan:
    assert not fires(f, rule, moment - MINUTE), f"{rule} fired a minute early"
    assert plan(f, POLICY, moment - MINUTE).next_check_at is not None
    assert fires(f, rule, moment + MINUTE), f"{rule} did not fire a minute after"
    return plan(f, POLICY, moment + MINUTE)


def test_due_fires_when_the_next_step_is_due() -> None:
    due = T0 + timedelta(days=3)
    result = assert_edge(facts(State.WARM, next_step_due=due), "due", due)
    finding = result.firing["due"]
    assert finding.intent == "advance"
    assert finding.reason(PARIS) == "The next step “Call” was due on 5 Nov."


def test_stall_fires_a_day_after_the_last_event_without_a_next_step() -> None:
    f = facts(State.HOT, ev(T0, SignalKind.REPLIED), next_step=None)
    assert_edge(f, "stall", T0 + timedelta(hours=24))
    assert not fires(replace(f, next_step="Call"), "stall", T0 + timedelta(days=9))


@pytest.mark.parametrize(
    ("state", "days", "intent"), [(State.HOT, 2, "advance"), (State.WARM, 7, "clarify")]
)
def test_silence_after_the_states_window(state: State, days: int, intent: str) -> None:
    f = facts(state, ev(T0, SignalKind.PROPOSAL_SENT))
    finding = assert_edge(f, "silence", T0 + timedelta(days=days)).firing["silence"]
    assert finding.intent == intent
    assert (
        finding.reason(PARIS) == f"No reply for {days} days since you sent the proposal on 2 Nov."
    )
    # A reply ends it.
    answered = facts(
        state, ev(T0, SignalKind.PROPOSAL_SENT), ev(T0 + timedelta(hours=5), SignalKind.REPLIED)
    )
    assert not fires(answered, "silence", T0 + timedelta(days=30))


def test_guard_takes_over_from_silence_at_three_unanswered_touches() -> None:
    touches = [ev(T0 + timedelta(days=3 * i), SignalKind.SENT) for i in range(3)]
    two = facts(State.WARM, *touches[:2])
    assert fires(two, "silence", touches[1].at + timedelta(days=8))
    three = facts(State.WARM, *touches)
    result = assert_edge(three, "guard", touches[2].at)
    assert result.firing["guard"].intent == "close_loop"
    assert "silence" not in plan(three, POLICY, touches[2].at + timedelta(days=60)).firing


def test_cool_one_hot_window_after_a_handled_silence_alert() -> None:
    sent = ev(T0, SignalKind.SENT)
    handled_at = T0 + timedelta(days=2, hours=3)
    f = facts(State.HOT, sent, handled=(HandledAlert("silence", "x", handled_at),))
    finding = assert_edge(f, "cool", handled_at + timedelta(days=2)).firing["cool"]
    assert "move it to Warm" in finding.reason(PARIS)
    # Not for warm leads, and not once the buyer engaged.
    assert not fires(replace(f, state=State.WARM), "cool", handled_at + timedelta(days=9))
    engaged = facts(
        State.HOT, sent, ev(handled_at + timedelta(hours=1), SignalKind.REPLIED), handled=f.handled
    )
    assert not fires(engaged, "cool", handled_at + timedelta(days=9))


def test_fade_fourteen_days_after_reactivation_without_engagement() -> None:
    back = T0 + timedelta(days=1)
    f = facts(State.WARM, reactivated_at=back)
    assert "Brought back from Recycle" in assert_edge(f, "fade", back + timedelta(days=14)).firing[
        "fade"
    ].reason(PARIS)
    clicked = facts(
        State.WARM, ev(back + timedelta(days=3), SignalKind.LINK_CLICKED), reactivated_at=back
    )
    assert not fires(clicked, "fade", back + timedelta(days=30))


def test_park_and_reactivate() -> None:
    parked = facts(State.RECYCLE, next_step=None)
    assert fires(parked, "park", T0 + MINUTE)
    until = T0 + timedelta(days=90)
    dated = facts(State.RECYCLE, recycle_until=until, recycle_reason="budget")
    finding = assert_edge(dated, "reactivate", until).firing["reactivate"]
    assert (
        finding.reason(PARIS)
        == "Parked on 2 Nov (budget) until 31 Jan: time to come back with something new."
    )
    assert not fires(dated, "park", until)


def test_proposal_views_twice_within_72_hours_with_no_reply() -> None:
    first = ev(T0, SignalKind.PROPOSAL_VIEWED)
    second_at = T0 + timedelta(hours=72)
    f = facts(State.WARM, first, ev(second_at, SignalKind.PROPOSAL_VIEWED))
    assert_edge(f, "proposal_views", second_at)
    too_far = facts(State.WARM, first, ev(second_at + MINUTE, SignalKind.PROPOSAL_VIEWED))
    assert not fires(too_far, "proposal_views", T0 + timedelta(days=9))
    replied = facts(State.WARM, *f.timeline, ev(second_at + timedelta(hours=1), SignalKind.REPLIED))
    assert not fires(replied, "proposal_views", T0 + timedelta(days=9))


def test_meeting_missed_fires_at_once_until_the_buyer_reengages() -> None:
    missed = T0 + timedelta(days=1)
    f = facts(State.HOT, ev(missed, SignalKind.MEETING_MISSED))
    assert_edge(f, "meeting_missed", missed)
    rebooked = facts(
        State.HOT, *f.timeline, ev(missed + timedelta(hours=2), SignalKind.MEETING_BOOKED)
    )
    assert not fires(rebooked, "meeting_missed", missed + timedelta(days=1))


def test_a_cancelled_meeting_is_a_trigger_like_a_missed_one() -> None:
    cancelled = T0 + timedelta(days=1)
    f = facts(
        State.WARM, ev(T0, SignalKind.MEETING_BOOKED), ev(cancelled, SignalKind.MEETING_CANCELLED)
    )
    found = assert_edge(f, "meeting_missed", cancelled).firing["meeting_missed"]
    assert found.reason(PARIS) == "The meeting on 3 Nov was cancelled: offer two new times."
    # Missed after the cancellation: the newer one is what the alert is about.
    missed = T0 + timedelta(days=3)
    later = facts(State.WARM, *f.timeline, ev(missed, SignalKind.MEETING_MISSED))
    again = assert_edge(later, "meeting_missed", missed).firing["meeting_missed"]
    assert again.reason(PARIS) == "The meeting on 5 Nov was missed: offer two new times."


def test_pricing_then_48_hours_of_silence() -> None:
    f = facts(State.WARM, ev(T0, SignalKind.PRICING_DISCUSSED))
    assert_edge(f, "pricing_silence", T0 + timedelta(hours=48))
    engaged = facts(State.WARM, *f.timeline, ev(T0 + timedelta(hours=47), SignalKind.LINK_CLICKED))
    assert not fires(engaged, "pricing_silence", T0 + timedelta(days=5))


def test_link_clicks_twice_within_48_hours() -> None:
    second = T0 + timedelta(hours=48)
    f = facts(State.HOT, ev(T0, SignalKind.LINK_CLICKED), ev(second, SignalKind.LINK_CLICKED))
    assert_edge(f, "link_clicks", second)
    apart = facts(
        State.HOT, ev(T0, SignalKind.LINK_CLICKED), ev(second + MINUTE, SignalKind.LINK_CLICKED)
    )
    assert not fires(apart, "link_clicks", T0 + timedelta(days=9))


def test_engagement_drop_after_a_busy_fortnight_then_a_quiet_week() -> None:
    busy = [ev(T0 + timedelta(days=d), SignalKind.REPLIED) for d in (0, 5, 10)]
    f = facts(State.WARM, *busy)
    finding = assert_edge(f, "engagement_drop", busy[-1].at + timedelta(days=7)).firing[
        "engagement_drop"
    ]
    assert finding.reason(PARIS).startswith("3 exchanges in the two weeks to 12 Nov")
    sparse = facts(State.WARM, *busy[1:])
    assert not fires(sparse, "engagement_drop", T0 + timedelta(days=40))


def test_won_and_lost_leads_raise_nothing_and_need_no_check() -> None:
    for state in (State.WON, State.LOST):
        f = facts(state, ev(T0, SignalKind.SENT), next_step=None, next_step_due=T0)
        result = plan(f, POLICY, T0 + timedelta(days=400))
        assert result.firing == {}
        assert result.next_check_at is None


def test_every_number_is_a_setting() -> None:
    f = facts(State.HOT, ev(T0, SignalKind.SENT))
    patient = Policy(hot_silence_days=5)
    assert "silence" not in plan(f, patient, T0 + timedelta(days=4)).firing
    assert "silence" in plan(f, patient, T0 + timedelta(days=5, minutes=1)).firing
    assert Policy.from_json({"hot_silence_days": "5", "unknown": 1}) == patient


def test_reactivation_is_the_latest_move_out_of_recycle() -> None:
    moves = [
        (T0, None, "hot"),
        (T0 + timedelta(days=1), "hot", "recycle"),
        (T0 + timedelta(days=40), "recycle", "warm"),
    ]
    assert reactivation_time(moves) == T0 + timedelta(days=40)
    assert reactivation_time([*moves, (T0 + timedelta(days=41), "warm", "hot")]) is None
