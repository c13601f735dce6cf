"""Invariants of the engine over random histories, on a real SQLite file each time."""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from followthrough.domain.leads import NewLead
from followthrough.domain.policy import Policy
from followthrough.domain.rules import evaluate
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import ALL_STATES, State
from followthrough.paths import prepare_data_dir
from followthrough.services import alerts, lead_queries, leads
from followthrough.services.planning import lead_facts, load_history
from followthrough.store.db import Database
from followthrough.store.models import Alert, Lead

# Spans the end of European summer time (25 Oct 2026) so DST is always in play.
START = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)
KINDS = [SignalKind.SENT, SignalKind.SENT, SignalKind.REPLIED, SignalKind.PROPOSAL_SENT,
         SignalKind.PROPOSAL_VIEWED, SignalKind.LINK_CLICKED, SignalKind.MEETING_MISSED,
         SignalKind.PRICING_DISCUSSED, SignalKind.CALL, SignalKind.NOTE]  # fmt: skip


@dataclass(frozen=True)
class Step:
    hours: int  # after the previous step
    lead: int
    action: str  # log | step | move
    kind: SignalKind = SignalKind.NOTE
    state: State = State.HOT
    offset_h: int = 0


steps = st.lists(
    st.one_of(
        st.builds(Step, st.integers(1, 60), st.integers(0, 2), st.just("log"), st.sampled_from(KINDS)),
        st.builds(Step, st.integers(1, 60), st.integers(0, 2), st.just("step"), offset_h=st.integers(-24, 96)),
        st.builds(Step, st.integers(1, 60), st.integers(0, 2), st.just("move"),
                  state=st.sampled_from([State.HOT, State.WARM, State.RECYCLE, State.LOST])),
    ),
    max_size=14,
)  # fmt: skip


@contextmanager
def fresh_db() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(prepare_data_dir(Path(tmp) / "data"), START)
        try:
            yield db
        finally:
            db.close()


@contextmanager
def zone(name: str) -> Iterator[None]:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        os.environ["TZ"] = previous or "UTC"
        time.tzset()


def replay(db: Database, history: list[Step], tick_every: timedelta | None) -> datetime:
    """Apply the history; tick on the way if asked, and always once at the end."""
    ids = [
        leads.add_lead(db, NewLead.create(name=f"Lead {n}", now=START, next_step="Talk"), START).id
        for n in range(3)
    ]
    now, last_tick = START, START
    for step in history:
        now += timedelta(hours=step.hours)
        while tick_every and last_tick + tick_every <= now:
            last_tick += tick_every
            alerts.tick(db, last_tick)
        lead_id = ids[step.lead]
        if step.action == "log":
            leads.log_event(db, lead_id, step.kind, at=now, now=now)
        elif step.action == "step":
            leads.set_next_step(db, lead_id, "Next", now + timedelta(hours=step.offset_h), now)
        else:
            until = now + timedelta(days=20) if step.state is State.RECYCLE else None
            leads.move_lead(db, lead_id, step.state, until=until, at=now, now=now)
    end = now + timedelta(days=30)
    while tick_every and last_tick + tick_every <= end:
        last_tick += tick_every
        alerts.tick(db, last_tick)
    alerts.tick(db, end)
    return end


def live_alerts(db: Database) -> set[tuple[int, str, str, str]]:
    with db.read() as session:
        rows = session.exec(select(Alert).where(col(Alert.status).in_(["open", "snoozed"]))).all()
        return {(a.lead_id, a.rule, a.episode, a.status) for a in rows}


# Three unanswered touches on one lead, so the guard always gets exercised.
GUARDED = [Step(30, 0, "log", SignalKind.SENT), Step(60, 0, "log", SignalKind.SENT),
           Step(60, 0, "log", SignalKind.PROPOSAL_SENT), Step(50, 1, "log", SignalKind.PRICING_DISCUSSED)]  # fmt: skip
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(steps)
@example(GUARDED)
def test_hourly_ticks_raise_what_one_final_tick_raises(history: list[Step]) -> None:
    with fresh_db() as hourly, fresh_db() as once:
        replay(hourly, history, timedelta(hours=1))
        replay(once, history, None)
        assert live_alerts(hourly) == live_alerts(once)


@SETTINGS
@given(steps)
@example(GUARDED)
def test_tick_is_idempotent_and_keeps_the_house_rules(history: list[Step]) -> None:
    with fresh_db() as db:
        end = replay(db, history, None)
        before = live_alerts(db)
        assert alerts.tick(db, end) == []
        assert live_alerts(db) == before

        per_rule = Counter((lead, rule) for lead, rule, _, _ in before)
        assert max(per_rule.values(), default=0) <= 1

        policy = Policy()
        for lead in lead_queries.list_leads(db, ALL_STATES, now=end):
            rules = {rule for lead_id, rule, _, _ in before if lead_id == lead.id}
            if lead.unanswered >= policy.guard_touches and lead.state in (State.HOT, State.WARM):
                assert "silence" not in rules
                assert "guard" in rules
            if lead.state in (State.WON, State.LOST):
                assert rules == set()
            # Nothing the rules know about is forgotten: raised already, or planned.
            with db.read() as session:
                row = session.get(Lead, lead.id)
                assert row is not None
                events, by_lead = load_history(session.connection(), [lead.id])
                all_alerts = by_lead[lead.id]
                raised = {(a.rule, a.episode) for a in all_alerts if a.status != "cleared"}
                for finding in evaluate(lead_facts(row, events[lead.id], all_alerts), policy):
                    if (finding.rule, finding.episode) not in raised:
                        assert lead.next_check_at is not None
                        assert lead.next_check_at <= finding.fires_at


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_results_do_not_depend_on_the_local_zone_or_dst(history: list[Step]) -> None:
    def outcome(zone_name: str) -> set[tuple[int, str, str, str]]:
        with zone(zone_name), fresh_db() as db:
            replay(db, history, timedelta(hours=6))
            return live_alerts(db)

    assert outcome("Europe/Paris") == outcome("UTC") == outcome("America/New_York")
