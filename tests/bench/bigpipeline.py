"""A year of a large pipeline, fast: 100,000 leads, 1,000,000 events, 200,000 alerts.

    from tests.bench.bigpipeline import build_big_pipeline
    stats = build_big_pipeline(data_dir, now=now)      # about a minute on a 2-core machine

For the report benchmarks (tests/bench/reports.py) and anyone who needs the Insights facts
at scale. The schema comes the normal way (`Database.open` migrates it); rows then go in
with bulk inserts inside one transaction, the events and alerts through the driver's
executemany with values already in their stored form (UTC "YYYY-MM-DD HH:MM:SS.ffffff",
JSON text), because the per-row type processing of an ORM or Core insert would be most of
the cost. Leads are not planned (`next_check_at` stays empty): reports read history only.

The shape follows what the services write: each lead arrives (a state_change from None),
gets touches and answers over the months after, and, if it ended Lost or Recycle, a move
carrying a reason category; some came back from Recycle. Each alert has a rule, its kind,
a status (done, cleared, dismissed, snoozed, open: at most one live per lead and rule, as
the unique index demands), snoozes, an outcome "engaged" for some done ones; each done
alert was answered by a sent message whose payload names its template, intent, decision,
alert and rule, as `drafting.mark_sent` records.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from followthrough.domain.alerts import RULE_KINDS, AlertRule
from followthrough.domain.signals import (
    SIGNAL_TRAITS,
    SignalKind,
    TimelineEntry,
    summarize_touches,
)
from followthrough.domain.states import State
from followthrough.paths import prepare_data_dir
from followthrough.services.templates import builtin_templates
from followthrough.services.touch_facts import fill_missing_facts
from followthrough.store.db import Database
from followthrough.store.tables import LEAD

YEAR = timedelta(days=365)
STATES = {State.HOT: 0.2, State.WARM: 0.3, State.RECYCLE: 0.2, State.WON: 0.12, State.LOST: 0.18}
KINDS = {
    SignalKind.SENT: 0.34, SignalKind.REPLIED: 0.18, SignalKind.CALL: 0.06,
    SignalKind.MEETING_BOOKED: 0.04, SignalKind.MEETING_HELD: 0.04,
    SignalKind.MEETING_MISSED: 0.015, SignalKind.PROPOSAL_SENT: 0.04,
    SignalKind.PROPOSAL_VIEWED: 0.06, SignalKind.PRICING_DISCUSSED: 0.03,
    SignalKind.LINK_CLICKED: 0.03, SignalKind.NOTE: 0.04, SignalKind.OBJECTION: 0.01,
}  # fmt: skip
RULES = {
    AlertRule.SILENCE: 0.3, AlertRule.STALL: 0.14, AlertRule.DUE: 0.14, AlertRule.GUARD: 0.08,
    AlertRule.PROPOSAL_VIEWS: 0.05, AlertRule.PRICING_SILENCE: 0.05,
    AlertRule.MEETING_MISSED: 0.03, AlertRule.LINK_CLICKS: 0.03, AlertRule.REACTIVATE: 0.07,
    AlertRule.COOL: 0.04, AlertRule.FADE: 0.03, AlertRule.ENGAGEMENT_DROP: 0.04,
}  # fmt: skip
STATUSES = {"done": 0.36, "cleared": 0.3, "dismissed": 0.12, "snoozed": 0.04, "open": 0.18}
CATEGORIES = ["timing", "fit", "price", "competitor", "no_decision", "went_silent", "other"]
EVENTS_PER_LEAD = 10  # the arrival and about nine more: 1,000,000 events for 100,000 leads
TRAITS = {kind.value: traits for kind, traits in SIGNAL_TRAITS.items()}

EVENT_SQL = (
    "INSERT INTO event (id, lead_id, at, kind, direction, channel, text, payload, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)"
)
ALERT_SQL = (
    "INSERT INTO alert (id, lead_id, rule, kind, reason, episode, intent, status,"
    " snoozed_until, snoozes, raised_at, due_at, resolved_at, outcome, outcome_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class BigPipeline:
    leads: int
    events: int
    alerts: int
    seconds: float
    megabytes: float


def stored(moment: datetime) -> str:
    """A naive UTC moment as the UTCDateTime column stores it (always with microseconds)."""
    return moment.isoformat(" ", "microseconds")


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


class _Weighted:
    """Draws from a table of weights (cumulative once, not at every draw)."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


class _Maker:
    """Rows of one lead at a time, drawn from one seeded generator."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now.astimezone(UTC).replace(tzinfo=None)  # naive UTC: cheap to format
        self.states, self.kinds = _Weighted(STATES), _Weighted(KINDS)
        self.rules, self.statuses = _Weighted(RULES), _Weighted(STATUSES)
        self.event_id = 0
        self.alert_id = 0
        self.templates = {
            rule: [t for t in builtin_templates() if rule in t.rules] for rule in RULES
        }

    def event(self, lead: int, at: datetime, kind: str, payload: dict[str, Any]) -> tuple[Any, ...]:
        self.event_id += 1
        traits = TRAITS.get(kind)
        direction = traits.direction.value if traits else "none"
        channel = traits.channel.value if traits and traits.channel else None
        text = json.dumps(payload) if payload else "{}"
        return (self.event_id, lead, stored(at), kind, direction, channel, text, stored(at))

    def lead(self, n: int) -> tuple[dict[str, Any], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rng, now = self.rng, self.now
        created = now - YEAR * rng.random() - timedelta(hours=1)
        # Each lead is worked for a few weeks, then ends somewhere (or is still being worked):
        # the year's events and moves spread evenly, as in a steady pipeline.
        end = created + timedelta(days=rng.uniform(7, 120))
        state: State = self.states.draw(rng)
        if end >= now:
            end, state = now, rng.choice((State.HOT, State.WARM, State.WARM))
        span = end - created
        times = sorted(created + span * rng.random() for _ in range(rng.randint(4, 13)))
        events = [self.event(n, created, "state_change", {"from": None, "to": "hot"})]
        events += [self.event(n, at, self.kinds.draw(rng).value, {}) for at in times[:-1]]
        last = times[-1]
        alerts = [self.alert(n, created, last, events) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.06:  # parked once, brought back since
            events.append(self.event(n, last, "state_change", {"from": "recycle", "to": "warm"}))
        if state is not State.HOT:
            move: dict[str, Any] = {"from": "hot", "to": state.value, "until": None}
            if state in (State.LOST, State.RECYCLE):
                move["category"] = rng.choice(CATEGORIES)
            if state is State.RECYCLE:
                move["until"] = (last + timedelta(days=rng.uniform(14, 120))).isoformat() + "+00:00"
            # A closed lead moved at its end; one still worked went to Warm along the way.
            moved = last if end < now else times[len(times) // 2]
            events.append(self.event(n, moved, "state_change", move))
        # The counters the services keep, from the timeline as they derive them.
        touches = summarize_touches(
            TimelineEntry(datetime.fromisoformat(e[2]), e[3], e[4]) for e in events
        )
        row = {
            "id": n, "name": f"Lead {n}", "company": f"Company {n % 5000}",
            "email": f"lead{n}@example.com", "email_key": f"lead{n}@example.com",
            "tags": [], "search_key": f"lead {n}", "state": state.value,
            "state_since": last.replace(tzinfo=UTC), "unanswered": touches.unanswered,
            "last_outbound_at": _aware(touches.last_outbound_at),
            "last_inbound_at": _aware(touches.last_inbound_at),
            "created_at": created.replace(tzinfo=UTC), "updated_at": last.replace(tzinfo=UTC),
        }  # fmt: skip
        return row, events, [a for a in alerts if a]

    def alert(
        self, lead: int, created: datetime, last: datetime, events: list[tuple[Any, ...]]
    ) -> tuple[Any, ...] | None:
        rng = self.rng
        rule: AlertRule = self.rules.draw(rng)
        status: str = self.statuses.draw(rng)
        raised = created + (last - created) * rng.random()
        self.alert_id += 1
        resolved = raised + timedelta(hours=rng.uniform(1, 120))
        if status in ("open", "snoozed"):
            # One live alert per lead and rule (a unique index): this alert is the lead's
            # latest of its rule, and the id makes the rule unique per lead.
            rule = list(RULES)[self.alert_id % len(RULES)]
        snoozes = rng.choice((1, 1, 2, 3)) if status == "snoozed" or rng.random() < 0.12 else 0
        engaged = status == "done" and rng.random() < 0.4
        if status == "done":
            spec = rng.choice(self.templates[rule] or [None])
            events.append(
                self.event(lead, min(resolved, self.now), "sent", {
                    "template": spec.slug if spec else None, "subject": "Following up",
                    "intent": spec.intent if spec else None,
                    "decision": spec.decision if spec else None,
                    "alert": self.alert_id, "rule": rule.value,
                })
            )  # fmt: skip
        return (
            self.alert_id, lead, rule.value, RULE_KINDS[rule].value, "Generated for the bench",
            f"{stored(raised)}#{self.alert_id}", None, status,
            stored(raised + timedelta(days=2)) if status == "snoozed" else None, snoozes,
            stored(raised), stored(raised - timedelta(hours=rng.uniform(0, 20))),
            stored(min(resolved, self.now)) if status not in ("open", "snoozed") else None,
            "engaged" if engaged else None,
            stored(min(resolved + timedelta(days=2), self.now)) if engaged else None,
        )  # fmt: skip


def build_big_pipeline(
    data_dir: Path,
    *,
    now: datetime,
    leads: int = 100_000,
    seed: int = 16,
    batch: int = 5000,
) -> BigPipeline:
    """Create `data_dir` (migrated the normal way) and fill it in one transaction."""
    started = time.perf_counter()
    paths = prepare_data_dir(data_dir)
    db = Database.open(paths, now)
    maker = _Maker(seed, now)
    try:
        with db.write() as session:
            connection = session.connection()
            for start in range(1, leads + 1, batch):
                rows, events, alerts = [], [], []
                for n in range(start, min(leads, start + batch - 1) + 1):
                    row, lead_events, lead_alerts = maker.lead(n)
                    rows.append(row)
                    events += lead_events
                    alerts += lead_alerts
                connection.execute(insert(LEAD), rows)
                connection.exec_driver_sql(EVENT_SQL, events)
                connection.exec_driver_sql(ALERT_SQL, alerts)
            # What the services keep as they write each event and raise each alert.
            fill_missing_facts(connection)
    finally:
        db.close()
    size = sum(f.stat().st_size for f in paths.root.iterdir() if f.is_file()) / 1e6
    took = time.perf_counter() - started
    return BigPipeline(leads, maker.event_id, maker.alert_id, took, size)
