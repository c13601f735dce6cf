"""The follow-up rules: given what we know of a lead, which alerts are due, and when next.

Pure. Each rule yields at most one `Finding`: the moment its condition became (or will
become) true, an *episode* key naming that occurrence, and a reason sentence. A finding
whose `fires_at` is past is firing; one in the future says when to look again. Conditions
are monotonic between events, so ticking hourly or once at the end finds the same alerts.
What the rules read of a lead is in domain/leadfacts.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from followthrough.domain.alerts import AlertKind, AlertRule, Intent
from followthrough.domain.dates import day_month as day
from followthrough.domain.leadfacts import ACTIVE, History, LeadFacts
from followthrough.domain.policy import Policy
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State


@dataclass(frozen=True)
class Finding:
    rule: AlertRule
    kind: AlertKind
    intent: Intent | None
    episode: str
    fires_at: datetime
    # Worded only when asked (most findings are plans for later, never shown), in the zone
    # of whoever reads it: the dates it names are days on their calendar.
    describe: Callable[[tzinfo], str] = field(compare=False, repr=False)

    def reason(self, zone: tzinfo) -> str:
        return self.describe(zone)


def _days(delta: timedelta) -> str:
    days = round(delta.total_seconds() / 86400, 1)
    whole = int(days) if days == int(days) else days
    return f"{whole} day" + ("" if whole == 1 else "s")


def _hours(delta: timedelta) -> str:
    hours = round(delta.total_seconds() / 3600)
    return f"{hours} hour" + ("" if hours == 1 else "s")


_TOUCH_WORDS = {
    SignalKind.SENT: "you wrote",
    SignalKind.PROPOSAL_SENT: "you sent the proposal",
    SignalKind.CALL: "you called",
}


Rule = Callable[[LeadFacts, History, Policy], Iterator[Finding]]


def _due(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    step, due = facts.next_step, facts.next_step_due
    if due is not None and due == facts.meeting_step_at:
        return  # a meeting: the calendar's "did it happen?" question follows it instead
    if facts.state in ACTIVE and step and due:
        yield Finding(
            AlertRule.DUE,
            AlertKind.DUE,
            Intent.ADVANCE,
            due.isoformat(),
            due,
            lambda zone: f"The next step “{step}” was due on {day(due, zone)}.",
        )


def _stall(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    last = h.last_event_at
    if facts.state in ACTIVE and not facts.next_step and last:
        after = timedelta(hours=p.stall_hours)
        yield Finding(
            AlertRule.STALL,
            AlertKind.STALL,
            Intent.ADVANCE,
            last.isoformat(),
            last + after,
            lambda zone: (
                f"No next step agreed {_hours(after)} after the last exchange on "
                f"{day(last, zone)}: propose one."
            ),
        )


def _silence(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    window = p.silence_window(facts.state)
    touch = h.last_touch
    if window is None or touch is None or not h.awaiting_reply:
        return
    if len(h.touches_since_answer) >= p.guard_touches:
        return  # the guard has taken over: no more nudges
    intent = Intent.ADVANCE if facts.state is State.HOT else Intent.CLARIFY
    what = _TOUCH_WORDS.get(SignalKind(touch.kind), "your last message")
    yield Finding(
        AlertRule.SILENCE,
        AlertKind.SILENCE,
        intent,
        f"{facts.state}:{touch.at.isoformat()}",
        touch.at + window,
        lambda zone: f"No reply for {_days(window)} since {what} on {day(touch.at, zone)}.",
    )


def _guard(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    run = h.touches_since_answer
    if facts.state not in ACTIVE or len(run) < p.guard_touches:
        return
    reached = run[p.guard_touches - 1].at
    start = h.last_answer_at.isoformat() if h.last_answer_at else "start"
    yield Finding(
        AlertRule.GUARD,
        AlertKind.GUARD,
        Intent.CLOSE_LOOP,
        start,
        reached,
        lambda zone: (
            f"{len(run)} touches since {day(run[0].at, zone)} without an answer: close the loop "
            "and park the lead with a date to come back."
        ),
    )


def _cool(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    window = p.silence_window(State.HOT)
    if facts.state is not State.HOT or window is None or not h.awaiting_reply:
        return
    handled = [
        a
        for a in facts.handled
        if a.rule == AlertRule.SILENCE
        and not h.engaged_after(a.resolved_at)
        and (h.last_engaged_at is None or a.resolved_at > h.last_engaged_at)
    ]
    if not handled:
        return
    first = min(handled, key=lambda a: a.resolved_at)
    yield Finding(
        AlertRule.COOL,
        AlertKind.SILENCE,
        Intent.CLOSE_LOOP,
        first.episode,
        first.resolved_at + window,
        lambda zone: (
            f"Still silent {_days(window)} after the follow-up of {day(first.resolved_at, zone)}: "
            "move it to Warm and slow down."
        ),
    )


def _fade(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    back = facts.reactivated_at
    if facts.state not in ACTIVE or back is None or h.engaged_after(back):
        return
    after = timedelta(days=p.fade_days)
    yield Finding(
        AlertRule.FADE,
        AlertKind.SILENCE,
        Intent.CLOSE_LOOP,
        back.isoformat(),
        back + after,
        lambda zone: (
            f"Brought back from Recycle on {day(back, zone)} and silent for {_days(after)} since: "
            "consider marking it lost."
        ),
    )


def _park(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    if facts.state is State.RECYCLE and facts.recycle_until is None:
        yield Finding(
            AlertRule.PARK,
            AlertKind.STALL,
            None,
            facts.state_since.isoformat(),
            facts.state_since,
            lambda zone: "Parked without a date to come back: choose one so it is not forgotten.",
        )


def _reactivate(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    until = facts.recycle_until
    if facts.state is State.RECYCLE and until is not None:
        why = f" ({facts.recycle_reason})" if facts.recycle_reason else ""
        yield Finding(
            AlertRule.REACTIVATE,
            AlertKind.REACTIVATE,
            Intent.ADVANCE,
            until.isoformat(),
            until,
            lambda zone: (
                f"Parked on {day(facts.state_since, zone)}{why} until {day(until, zone)}: "
                "time to come back with something new."
            ),
        )


def _cluster(
    times: list[datetime], count: int, within: timedelta
) -> tuple[datetime, datetime] | None:
    """The first run of `count` times inside `within`: (its first, the one completing it)."""
    for i in range(len(times) - count + 1):
        if times[i + count - 1] - times[i] <= within:
            return times[i], times[i + count - 1]
    return None


def _proposal_views(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    if facts.state not in ACTIVE:
        return
    window = timedelta(hours=p.proposal_views_hours)
    found = _cluster(
        h.of_kind(SignalKind.PROPOSAL_VIEWED, h.last_answer_at), p.proposal_views, window
    )
    if found:
        first, completing = found
        views = len(h.of_kind(SignalKind.PROPOSAL_VIEWED, first - timedelta(seconds=1)))
        yield Finding(
            AlertRule.PROPOSAL_VIEWS,
            AlertKind.TRIGGER,
            Intent.CLARIFY,
            first.isoformat(),
            completing,
            lambda zone: (
                f"The proposal was opened {views} times since {day(first, zone)} with no reply: "
                "something in it needs an answer."
            ),
        )


def _link_clicks(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    if facts.state not in ACTIVE:
        return
    window = timedelta(hours=p.link_clicks_hours)
    found = _cluster(h.of_kind(SignalKind.LINK_CLICKED, h.last_answer_at), p.link_clicks, window)
    if found:
        first, completing = found
        yield Finding(
            AlertRule.LINK_CLICKS,
            AlertKind.TRIGGER,
            Intent.ADVANCE,
            first.isoformat(),
            completing,
            lambda zone: (
                f"Your link was clicked again on {day(completing, zone)} after {day(first, zone)}: "
                "interest is live, propose the next step."
            ),
        )


def _meeting_missed(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    # A meeting cancelled (by the buyer, or gone from the calendar) calls for the same
    # answer as one missed: two new times, while the interest is still there.
    missed = h.of_kind(SignalKind.MEETING_MISSED)
    cancelled = h.of_kind(SignalKind.MEETING_CANCELLED)
    latest = max((*missed[-1:], *cancelled[-1:]), default=None)
    if facts.state not in ACTIVE or latest is None or h.engaged_after(latest):
        return
    what = "cancelled" if cancelled and cancelled[-1] == latest else "missed"
    yield Finding(
        AlertRule.MEETING_MISSED,
        AlertKind.TRIGGER,
        Intent.ADVANCE,
        latest.isoformat(),
        latest,
        lambda zone: f"The meeting on {day(latest, zone)} was {what}: offer two new times.",
    )


def _pricing_silence(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    priced = h.of_kind(SignalKind.PRICING_DISCUSSED)
    if facts.state not in ACTIVE or not priced or h.engaged_after(priced[-1]):
        return
    wait = timedelta(hours=p.pricing_silence_hours)
    yield Finding(
        AlertRule.PRICING_SILENCE,
        AlertKind.TRIGGER,
        Intent.CLARIFY,
        priced[-1].isoformat(),
        priced[-1] + wait,
        lambda zone: (
            f"Pricing came up on {day(priced[-1], zone)}, then {_hours(wait)} of silence: "
            "price is likely the hesitation."
        ),
    )


def _engagement_drop(facts: LeadFacts, h: History, p: Policy) -> Iterator[Finding]:
    last = h.last_engaged_at
    if facts.state not in ACTIVE or last is None:
        return
    before = last - timedelta(days=p.drop_before_days)
    recent = [at for at in h.engagements if before <= at <= last]
    if len(recent) < p.drop_engagements:
        return
    quiet = timedelta(days=p.drop_quiet_days)
    yield Finding(
        AlertRule.ENGAGEMENT_DROP,
        AlertKind.TRIGGER,
        Intent.CLARIFY,
        last.isoformat(),
        last + quiet,
        lambda zone: (
            f"{len(recent)} exchanges in the two weeks to {day(last, zone)}, none in the "
            f"{_days(quiet)} since: ask what changed."
        ),
    )


# Rules by the state they can fire in; won and lost leads raise nothing.
ACTIVE_RULES: tuple[Rule, ...] = (
    _due, _stall, _silence, _guard, _cool, _fade,
    _proposal_views, _meeting_missed, _pricing_silence, _link_clicks, _engagement_drop,
)  # fmt: skip
RULES_BY_STATE: dict[State, tuple[Rule, ...]] = {
    State.HOT: ACTIVE_RULES,
    State.WARM: ACTIVE_RULES,
    State.RECYCLE: (_park, _reactivate),
}


def evaluate(facts: LeadFacts, policy: Policy) -> list[Finding]:
    """Every finding for the lead, past (firing) and future (to check later)."""
    rules = RULES_BY_STATE.get(facts.state, ())
    if not rules:
        return []
    history = History(facts.timeline)
    return [finding for rule in rules for finding in rule(facts, history, policy)]


@dataclass(frozen=True)
class Plan:
    firing: dict[AlertRule, Finding]
    next_check_at: datetime | None


def plan(facts: LeadFacts, policy: Policy, now: datetime) -> Plan:
    findings = evaluate(facts, policy)
    firing = {f.rule: f for f in findings if f.fires_at <= now}
    future = [f.fires_at for f in findings if f.fires_at > now]
    return Plan(firing, min(future) if future else None)
