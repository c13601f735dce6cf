"""Replaying the sample pipeline's months of history, in time order, through the real services.

The shipped description (resources/sample/pipeline.json) gives each lead either a history
of its own (`history`, times relative to the moment of loading) or a `story`: a named run of
steps shared by several leads, in days after the lead arrived, stretched by the lead's
`pace` and shifted by a few hours drawn from a generator seeded with the lead's name, so no
two leads move in lockstep and every load gives the same pipeline. A story is cut at the
moment of loading: a lead that arrived recently is still in the middle of it.

Every step, of every lead, then runs in one time order with that step's own moment as `now`,
and the engine ticks each working morning in between, as the app's timer would have: the
alerts are raised by the rules on the day they fell due, and the founder's answers to them
(a message drafted from a built-in template, a snooze, a dismissal) find them open.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from followthrough.domain.alerts import LIVE, AlertStatus
from followthrough.domain.leadfacts import ACTIVE
from followthrough.domain.leads import NewLead
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.domain.when import DAY_START, localize
from followthrough.errors import StorageError
from followthrough.services import alerts, drafting, leads
from followthrough.store.db import Database
from followthrough.store.models import Alert

Spec = Mapping[str, Any]

_OFFSETS = {
    "days_ago": timedelta(days=-1),
    "hours_ago": timedelta(hours=-1),
    "in_days": timedelta(days=1),
    "in_hours": timedelta(hours=1),
}
# Steps of one lead never share a moment: the timeline keeps their order.
_GAP = timedelta(minutes=7)
# How far a story's step may drift from its day, so leads on one story do not move in step.
_DRIFT_HOURS = 3.0
_WORDS = ("note", "reason", "step")
_SPANS = ("due_days", "until_days")


def moment(spec: Spec, base: datetime) -> datetime:
    """`{"days_ago": 3.5}` (or hours_ago, in_days, in_hours) as a moment relative to `base`."""
    for key, unit in _OFFSETS.items():
        if key in spec:
            at = base + unit * float(spec[key])
            if key == "in_days":
                # A day ahead reads as that day's morning, the way a person would set it.
                return localize(at.astimezone().date(), DAY_START, None).astimezone(UTC)
            return at
    raise StorageError(f"the sample pipeline has a time without an offset: {dict(spec)}")


@dataclass(order=True)
class Step:
    """One thing that happened to one lead, at its moment (ordered by when, then by lead)."""

    at: datetime
    lead: int  # the lead's place in the description
    order: int  # the step's place in its lead's history
    action: Spec = field(compare=False)


@dataclass
class Replay:
    """The replay under way: the ids the leads got, and the mornings not ticked yet."""

    db: Database
    base: datetime
    ids: dict[int, int] = field(default_factory=dict)
    mornings: list[datetime] = field(default_factory=list)

    def tick_until(self, at: datetime) -> None:
        while self.mornings and self.mornings[0] <= at:
            alerts.tick(self.db, self.mornings.pop(0))


def lead_steps(index: int, spec: Spec, stories: Mapping[str, Any], base: datetime) -> list[Step]:
    """The lead's arrival and every step after it, each at its moment (none after `base`)."""
    arrived = moment(spec["added"], base)
    steps = [Step(arrived, index, 0, {"add": spec})]
    timed: Iterable[tuple[datetime, Spec]]
    if "story" in spec:
        timed = _story_moments(spec, stories[spec["story"]], arrived)
    else:
        timed = [(moment(step, base), step) for step in spec.get("history", ())]
    last = arrived
    for order, (at, step) in enumerate(timed, start=1):
        at = _minute(max(at, last + _GAP))
        if at >= base:
            break  # the rest of the story has not happened yet
        steps.append(Step(at, index, order, step))
        last = at
    return steps


def _story_moments(
    spec: Spec, story: Sequence[Spec], arrived: datetime
) -> Iterator[tuple[datetime, Spec]]:
    drift = random.Random(spec["name"])  # noqa: S311 - a made-up schedule, not a secret
    pace = float(spec.get("pace", 1.0))
    notes: Mapping[str, str] = spec.get("notes", {})
    for step in story:
        hours = drift.uniform(0, _DRIFT_HOURS)
        at = arrived + timedelta(days=float(step["day"]) * pace, hours=hours)
        filled = {key: value for key, value in step.items() if key != "day"}
        for key in _SPANS:  # a slower buyer's dates stretch with the rest of the story
            if key in filled:
                filled[key] = float(filled[key]) * pace
        # A story names the lead's own words by key ("note": "reply"); the lead fills them
        # in. A note the lead does not have is left out; a reason or a next step not among
        # its notes is the story's own text.
        for key in _WORDS:
            if key in filled:
                words = notes.get(filled[key])
                if words is not None:
                    filled[key] = words
                elif key == "note":
                    del filled[key]
        yield at, filled


def _minute(at: datetime) -> datetime:
    """Whole minutes, as a person types times (and as an export writes them)."""
    return at.replace(second=0, microsecond=0)


def mornings(since: datetime, until: datetime) -> list[datetime]:
    """The start of each working morning (local) from `since` to `until`, in UTC."""
    day = since.astimezone().date()
    found: list[datetime] = []
    while True:
        at = localize(day, DAY_START, None).astimezone(UTC)
        if at >= until:
            return found
        if at > since:
            found.append(at)
        day += timedelta(days=1)


def run(replay: Replay, step: Step) -> None:
    """Do one step with its own moment as `now`, after the ticks the mornings before it owe."""
    replay.tick_until(step.at)
    action, at, db = step.action, step.at, replay.db
    if "add" in action:
        replay.ids[step.lead] = _add(db, action["add"], at, replay.base)
        return
    lead_id = replay.ids[step.lead]
    if "log" in action:
        kind = SignalKind(action["log"])
        leads.log_event(db, lead_id, kind, at=at, note=action.get("note"), now=at)
    elif "move" in action:
        _move(db, lead_id, action, at, replay.base)
    elif "step" in action:
        due = _due(action, at, replay.base)
        leads.set_next_step(db, lead_id, action["step"], due, now=at)
    elif "send" in action:
        _send(db, lead_id, action, at)
    elif "snooze" in action:
        alert = _live_alert(db, lead_id, action["snooze"], at)
        if alert is not None:
            until = at + timedelta(days=float(action.get("for_days", 2)))
            alerts.snooze(db, alert, until, now=at)
    elif "dismiss" in action:
        alert = _live_alert(db, lead_id, action["dismiss"], at)
        if alert is not None:
            alerts.resolve(db, alert, AlertStatus.DISMISSED, now=at)
    else:
        raise StorageError(f"the sample pipeline has a step it cannot replay: {dict(action)}")


def _add(db: Database, spec: Spec, at: datetime, base: datetime) -> int:
    due = spec.get("next_step_due")
    new = NewLead.create(
        name=spec["name"],
        now=at,
        company=spec.get("company"),
        email=spec.get("email"),
        phone=spec.get("phone"),
        state=State(spec.get("state", "hot")),
        next_step=spec.get("next_step"),
        next_step_due=moment(due, base) if due else None,
        tags=spec.get("tags", ()),
    )
    return leads.add_lead(db, new, now=at, at=at).id


def _due(action: Spec, at: datetime, base: datetime) -> datetime | None:
    """A next step's due time: days after the step (a story) or relative to loading."""
    if "due_days" in action:
        return _minute(at + timedelta(days=float(action["due_days"])))
    due = action.get("due")
    return moment(due, base) if due else None


def _move(db: Database, lead_id: int, action: Spec, at: datetime, base: datetime) -> None:
    until: datetime | None = None
    if "until_days" in action:
        until = _minute(at + timedelta(days=float(action["until_days"])))
    elif "until" in action:
        until = moment(action["until"], base)
    category = action.get("category")
    state = State(action["move"])
    if state not in ACTIVE:
        # Closing or parking a lead, the founder drops what was next with it.
        leads.set_next_step(db, lead_id, "", None, now=at)
    leads.move_lead(
        db,
        lead_id,
        state,
        until=until,
        reason=action.get("reason"),
        category=ReasonCategory(category) if category else None,
        at=at,
        now=at,
    )


def _live_alert(db: Database, lead_id: int, rule: str, at: datetime) -> int | None:
    """The lead's open or snoozed alert of `rule`; if there is none yet, the engine ticks at
    `at` first (the alert may have fallen due since the morning's tick)."""
    found = _find_live(db, lead_id, rule)
    if found is None:
        alerts.tick(db, at)
        found = _find_live(db, lead_id, rule)
    return found


def _find_live(db: Database, lead_id: int, rule: str) -> int | None:
    with db.read() as session:
        return session.exec(
            select(Alert.id).where(
                Alert.lead_id == lead_id,
                Alert.rule == rule,
                col(Alert.status).in_([status.value for status in LIVE]),
            )
        ).first()


def _send(db: Database, lead_id: int, action: Spec, at: datetime) -> None:
    """A message drafted from a built-in template, sent: what the draft dialog would log."""
    rule = action.get("answers")
    alert_id = _find_live(db, lead_id, rule) if rule else None
    if rule and alert_id is None:
        # Fallen due since the morning's tick: the engine raises it now, and the person
        # writes back a minute later (not at the very moment the alert appeared).
        alerts.tick(db, at)
        alert_id = _find_live(db, lead_id, rule)
        at += timedelta(minutes=1)
    draft = drafting.draft_for(db, lead_id, alert_id, action["send"], now=at)
    drafting.mark_sent(
        db,
        lead_id,
        subject=draft.subject,
        body=draft.body,
        template=draft.template,
        alert_id=alert_id,
        next_step=None,
        next_step_due=None,
        now=at,
        channel=draft.channel,
    )
