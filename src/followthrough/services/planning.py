"""Re-planning leads inside a write transaction: what the rules say now, written down.

Called by every service that changes a lead (so `next_check_at` is always right) and by the
tick (which also raises what is due). It works on plain rows in a fixed number of
statements whatever the batch size, because a tick must cost what the due leads cost and
stay well under the 15 ms a desktop timer can afford, even on a 100k-lead pipeline.
Kept apart from `alerts.py` so `leads.py` can use it without an import cycle.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, insert, update
from sqlmodel import Session

from followthrough.domain.alerts import HANDLED, LIVE, AlertStatus
from followthrough.domain.leadfacts import HandledAlert, LeadFacts, reactivation_time
from followthrough.domain.policy import Policy
from followthrough.domain.rules import Finding, evaluate
from followthrough.domain.signals import TimelineEntry, summarize_touches
from followthrough.domain.stages import latest_stage_signal
from followthrough.domain.states import State
from followthrough.services.clock import local_zone
from followthrough.services.readmodels import AlertView
from followthrough.store.models import Lead
from followthrough.store.plan_rows import meeting_steps, rows_where_in, timeline_rows
from followthrough.store.tables import ALERT, LEAD
from followthrough.store.touch_rows import latest_decisions

Move = tuple[datetime, str | None, str]  # (at, from, to)


@dataclass
class History:
    """A lead's timeline as the rules read it, and its moves between states."""

    timeline: list[TimelineEntry] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    meeting_step_at: datetime | None = None  # the next step is this calendar meeting


_VIEW_FIELDS = tuple(name for name in AlertView.__dataclass_fields__ if name != "lead_name")


@dataclass
class AlertState:
    """An alert as the planner sees it: a plain row it can change and write back.

    Its words stay the stored text (the tick builds thousands of these); a StrEnum member
    compares equal to its text, so the statuses below are written as members all the same.
    """

    id: int
    lead_id: int
    rule: str
    kind: str
    reason: str
    episode: str
    intent: str | None
    status: str
    raised_at: datetime
    due_at: datetime | None
    snoozed_until: datetime | None
    resolved_at: datetime | None
    outcome: str | None

    def view(self, lead_name: str) -> AlertView:
        columns = {name: getattr(self, name) for name in _VIEW_FIELDS}
        return AlertView.stored(**columns, lead_name=lead_name)


def lead_facts(lead: Any, history: History, alerts: Sequence[AlertState]) -> LeadFacts:
    """What the rules need to know about one lead (a row or a Lead)."""
    handled = tuple(
        HandledAlert(a.rule, a.episode, a.resolved_at)
        for a in alerts
        if a.status in HANDLED and a.resolved_at is not None
    )
    return LeadFacts(
        state=State(lead.state),
        state_since=lead.state_since,
        next_step=lead.next_step,
        next_step_due=lead.next_step_due,
        recycle_until=lead.recycle_until,
        recycle_reason=lead.recycle_reason,
        timeline=tuple(history.timeline),
        reactivated_at=reactivation_time(history.moves),
        handled=handled,
        meeting_step_at=history.meeting_step_at,
    )


class LeadRow(NamedTuple):
    """The columns of a lead the rules read."""

    id: int
    name: str
    state: str
    state_since: datetime
    next_step: str | None
    next_step_due: datetime | None
    recycle_until: datetime | None
    recycle_reason: str | None


_ALERT_FIELDS = tuple(AlertState.__dataclass_fields__)


def load_history(
    conn: Connection, lead_ids: Sequence[int]
) -> tuple[dict[int, History], dict[int, list[AlertState]]]:
    """Timelines (time order), alerts and the meetings that are next steps, of many leads.

    The hot path of every tick: plain rows from the driver (store/plan_rows.py), and only
    the moves' payloads (from → to) decoded.
    """
    events: dict[int, History] = defaultdict(History)
    for lead_id, at, kind, direction, payload in timeline_rows(conn, lead_ids):
        history = events[lead_id]
        history.timeline.append(TimelineEntry(at, kind, direction))
        if payload:
            moved = json.loads(payload)
            history.moves.append((at, moved.get("from"), str(moved.get("to"))))
    for lead_id, start in meeting_steps(conn, lead_ids):
        events[lead_id].meeting_step_at = start
    alerts: dict[int, list[AlertState]] = defaultdict(list)
    for row in rows_where_in(conn, ALERT, _ALERT_FIELDS, "lead_id", lead_ids):
        alert = AlertState(*row)
        alerts[alert.lead_id].append(alert)
    return events, alerts


def replan(session: Session, lead: Lead, now: datetime, policy: Policy) -> None:
    """Re-plan one lead after a change: clear stale alerts, set its next_check_at."""
    assert lead.id is not None
    session.flush()  # the change must be visible to the planner's queries
    replan_leads(session.connection(), [lead.id], now, policy)
    # The planner wrote with plain statements: let the ORM re-read what it holds.
    session.expire_all()


def replan_leads(
    conn: Connection,
    lead_ids: Sequence[int],
    now: datetime,
    policy: Policy,
    *,
    raise_due: bool = False,
    zone: tzinfo | None = None,
) -> list[AlertView]:
    """Clear alerts whose condition is gone, optionally raise those due, set next_check_at.

    Returns the alerts raised or reopened. `next_check_at` becomes the earliest moment that
    needs the engine: a finding not raised yet (possibly already past, for the next tick to
    raise) or the end of a snooze. Reasons are worded in `zone` (default: the machine's),
    the days they name being days on the reader's calendar.
    """
    if not lead_ids:
        return []
    zone = zone or local_zone()
    leads = [LeadRow(*row) for row in rows_where_in(conn, LEAD, LeadRow._fields, "id", lead_ids)]
    events, alerts = load_history(conn, lead_ids)
    raised: list[AlertView] = []
    cleared: list[AlertState] = []
    revived: list[AlertState] = []
    new_rows: list[dict[str, Any]] = []
    next_checks: list[dict[str, Any]] = []
    for lead in leads:
        mine = alerts[lead.id]
        findings: dict[str, Finding] = {
            f.rule: f for f in evaluate(lead_facts(lead, events[lead.id], mine), policy)
        }
        woken: list[AlertState] = []
        for alert in mine:
            current = findings.get(alert.rule)
            if alert.status in LIVE and (current is None or current.episode != alert.episode):
                alert.status, alert.resolved_at, alert.snoozed_until = (
                    AlertStatus.CLEARED,
                    now,
                    None,
                )
                cleared.append(alert)
            elif raise_due and alert.status == AlertStatus.SNOOZED and _snooze_over(alert, now):
                alert.status, alert.snoozed_until = AlertStatus.OPEN, None
                woken.append(alert)
        due, reopened, pending = _sort_findings(mine, findings, now, raise_due, zone)
        woken += reopened
        revived += woken
        raised += [alert.view(lead.name) for alert in woken]
        new_rows += [_row(lead.id, finding, now, zone) for finding in due]
        next_checks.append({"b_id": lead.id, "b_next": min(pending) if pending else None})

    # Cleared first: one live alert per rule is a unique index.
    _write_alerts(conn, cleared)
    _write_alerts(conn, revived)
    conn.execute(
        update(LEAD)
        .where(LEAD.c.id == bindparam("b_id"))
        .values(next_check_at=bindparam("b_next")),
        next_checks,
    )
    if new_rows:
        raising = {row["lead_id"] for row in new_rows}
        standing = _standing(conn, [lead for lead in leads if lead.id in raising], events, now)
        result = conn.execute(
            insert(ALERT).returning(ALERT.c.id, sort_by_parameter_order=True),
            [{**row, **standing[row["lead_id"]]} for row in new_rows],
        )
        names = {lead.id: lead.name for lead in leads}
        for (alert_id,), row in zip(result.all(), new_rows, strict=True):
            state = AlertState(
                id=alert_id, outcome=None, snoozed_until=None, resolved_at=None, **row
            )
            raised.append(state.view(names[row["lead_id"]]))
    return raised


def _standing(
    conn: Connection, leads: list[LeadRow], events: dict[int, History], now: datetime
) -> dict[int, dict[str, Any]]:
    """How each lead stands as its alerts are raised, for the alert to keep (the silence
    report reads it instead of walking the timeline back to this moment)."""
    decisions = latest_decisions(conn, [lead.id for lead in leads])
    return {
        lead.id: {
            "raised_state": lead.state,
            "raised_stage_signal": latest_stage_signal(events[lead.id].timeline, now),
            "raised_unanswered": summarize_touches(events[lead.id].timeline).unanswered,
            "raised_decision": decisions.get(lead.id),
        }
        for lead in leads
    }


def _write_alerts(conn: Connection, alerts: list[AlertState]) -> None:
    if not alerts:
        return
    conn.execute(
        update(ALERT)
        .where(ALERT.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            resolved_at=bindparam("b_resolved"),
            snoozed_until=bindparam("b_snoozed"),
            reason=bindparam("b_reason"),
        ),
        [
            {"b_id": a.id, "b_status": a.status, "b_resolved": a.resolved_at,
             "b_snoozed": a.snoozed_until, "b_reason": a.reason}
            for a in alerts
        ],
    )  # fmt: skip


def _sort_findings(
    alerts: list[AlertState],
    findings: dict[str, Finding],
    now: datetime,
    raise_due: bool,
    zone: tzinfo,
) -> tuple[list[Finding], list[AlertState], list[datetime]]:
    """(findings to raise now, cleared alerts to reopen, moments to look again)."""
    by_key = {(a.rule, a.episode): a for a in alerts}
    due: list[Finding] = []
    reopened: list[AlertState] = []
    pending = [
        a.snoozed_until for a in alerts if a.status == AlertStatus.SNOOZED and a.snoozed_until
    ]
    for finding in findings.values():
        existing = by_key.get((finding.rule, finding.episode))
        if existing is not None and existing.status != AlertStatus.CLEARED:
            continue  # raised already: open, snoozed, or handled by the user
        if not (raise_due and finding.fires_at <= now):
            pending.append(finding.fires_at)
        elif existing is None:
            due.append(finding)
        else:  # the same occurrence came back (an undone reply, say): reopen it
            existing.status, existing.resolved_at = AlertStatus.OPEN, None
            existing.reason = finding.reason(zone)
            reopened.append(existing)
    return due, reopened, pending


def _snooze_over(alert: AlertState, now: datetime) -> bool:
    return alert.snoozed_until is None or alert.snoozed_until <= now


def _row(lead_id: int, finding: Finding, now: datetime, zone: tzinfo) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "rule": finding.rule.value,
        "kind": finding.kind.value,
        "reason": finding.reason(zone),
        "episode": finding.episode,
        "intent": finding.intent.value if finding.intent else None,
        "status": AlertStatus.OPEN.value,
        "raised_at": now,
        "due_at": finding.fires_at,
    }
