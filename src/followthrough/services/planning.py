"""Re-planning leads inside a write transaction: what the rules say now, written down.

Called by every service that changes a lead (so `next_check_at` is always right) and by the
tick (which also raises what is due). Works on a batch of leads with a fixed number of
queries, because the tick's cost must follow the number of leads due, not the pipeline.
Kept apart from `alerts.py` so `leads.py` can use it without an import cycle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select as sa_select  # sqlmodel's select stops at four columns
from sqlmodel import Session, col, select

from followthrough.domain.policy import Policy
from followthrough.domain.rules import Finding, HandledAlert, LeadFacts, evaluate, reactivation_time
from followthrough.domain.signals import EventKind, TimelineEntry
from followthrough.domain.states import State
from followthrough.services.readmodels import AlertView
from followthrough.store.models import Alert, Event, Lead, Setting

LIVE = ("open", "snoozed")
HANDLED = ("done", "dismissed")
POLICY_KEY = "policy"
EventRow = tuple[datetime, str, str, dict[str, Any]]


def load_policy(session: Session) -> Policy:
    row = session.get(Setting, POLICY_KEY)
    return Policy.from_json(row.value if row else None)


def lead_facts(lead: Lead, events: Sequence[EventRow], alerts: Sequence[Alert]) -> LeadFacts:
    """What the rules need to know about one lead; `events` in time order."""
    moves = [
        (at, payload.get("from"), str(payload.get("to")))
        for at, kind, _, payload in events
        if kind == EventKind.STATE_CHANGE
    ]
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
        timeline=tuple(TimelineEntry(at, kind, direction) for at, kind, direction, _ in events),
        reactivated_at=reactivation_time(moves),
        handled=handled,
    )


def load_history(
    session: Session, lead_ids: Sequence[int]
) -> tuple[dict[int, list[EventRow]], dict[int, list[Alert]]]:
    """Events (time order) and alerts of many leads, in two queries."""
    events: dict[int, list[EventRow]] = defaultdict(list)
    rows = session.execute(
        sa_select(
            col(Event.lead_id),
            col(Event.at),
            col(Event.kind),
            col(Event.direction),
            col(Event.payload),
        )
        .where(col(Event.lead_id).in_(lead_ids))
        .order_by(col(Event.lead_id), col(Event.at), col(Event.id))
    )
    for lead_id, at, kind, direction, payload in rows:
        events[lead_id].append((at, kind, direction, payload))
    alerts: dict[int, list[Alert]] = defaultdict(list)
    for alert in session.exec(select(Alert).where(col(Alert.lead_id).in_(lead_ids))):
        alerts[alert.lead_id].append(alert)
    return events, alerts


def replan(session: Session, lead: Lead, now: datetime, policy: Policy) -> None:
    """Re-plan one lead after a change: clear stale alerts, set its next_check_at."""
    replan_leads(session, [lead], now, policy)


def replan_leads(
    session: Session,
    leads: Sequence[Lead],
    now: datetime,
    policy: Policy,
    *,
    raise_due: bool = False,
) -> list[AlertView]:
    """Clear alerts whose condition is gone, optionally raise those due, set next_check_at.

    Returns the alerts raised or reopened. `next_check_at` becomes the earliest moment that
    needs the engine: a finding not raised yet (possibly already past, for the next tick to
    raise) or the end of a snooze.
    """
    session.flush()  # the caller's changes must be visible to the queries below
    ids = [lead.id for lead in leads if lead.id is not None]
    events, alerts = load_history(session, ids)
    findings = {
        lead.id: {
            f.rule: f for f in evaluate(lead_facts(lead, events[lead.id], alerts[lead.id]), policy)
        }
        for lead in leads
        if lead.id is not None
    }
    raised: list[AlertView] = []
    for lead in leads:
        assert lead.id is not None
        raised += _settle(alerts[lead.id], findings[lead.id], lead.name, now, raise_due)
    # Cleared before anything is raised or reopened: one live alert per rule is a unique index.
    session.flush()
    new_rows: list[dict[str, Any]] = []
    for lead in leads:
        assert lead.id is not None
        due, reopened, pending = _sort_findings(alerts[lead.id], findings[lead.id], now, raise_due)
        new_rows += [_row(lead.id, finding, now) for finding in due]
        raised += [AlertView.of(alert, lead.name) for alert in reopened]
        lead.next_check_at = min(pending) if pending else None
    if new_rows:
        table = Alert.__table__  # type: ignore[attr-defined]
        result = session.connection().execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), new_rows
        )
        names = {lead.id: lead.name for lead in leads}
        for (alert_id,), row in zip(result.all(), new_rows, strict=True):
            raised.append(_view(alert_id, row, names[row["lead_id"]]))
    return raised


def _settle(
    alerts: list[Alert], findings: dict[str, Finding], name: str, now: datetime, raise_due: bool
) -> list[AlertView]:
    """Clear live alerts whose occurrence is over; wake the snoozes that have ended."""
    woken: list[AlertView] = []
    for alert in alerts:
        current = findings.get(alert.rule)
        if alert.status in LIVE and (current is None or current.episode != alert.episode):
            alert.status, alert.resolved_at, alert.snoozed_until = "cleared", now, None
        elif raise_due and alert.status == "snoozed" and _snooze_over(alert, now):
            alert.status, alert.snoozed_until = "open", None
            woken.append(AlertView.of(alert, name))
    return woken


def _sort_findings(
    alerts: list[Alert], findings: dict[str, Finding], now: datetime, raise_due: bool
) -> tuple[list[Finding], list[Alert], list[datetime]]:
    """(findings to raise now, cleared alerts to reopen, moments to look again)."""
    by_key = {(a.rule, a.episode): a for a in alerts}
    due: list[Finding] = []
    reopened: list[Alert] = []
    pending = [a.snoozed_until for a in alerts if a.status == "snoozed" and a.snoozed_until]
    for finding in findings.values():
        existing = by_key.get((finding.rule, finding.episode))
        if existing is not None and existing.status != "cleared":
            continue  # raised already: open, snoozed, or handled by the user
        if not (raise_due and finding.fires_at <= now):
            pending.append(finding.fires_at)
        elif existing is None:
            due.append(finding)
        else:  # the same occurrence came back (an undone reply, say): reopen it
            existing.status, existing.resolved_at, existing.reason = "open", None, finding.reason
            reopened.append(existing)
    return due, reopened, pending


def _snooze_over(alert: Alert, now: datetime) -> bool:
    return alert.snoozed_until is None or alert.snoozed_until <= now


def _row(lead_id: int, finding: Finding, now: datetime) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "rule": finding.rule,
        "kind": finding.kind.value,
        "reason": finding.reason,
        "episode": finding.episode,
        "intent": finding.intent.value if finding.intent else None,
        "status": "open",
        "raised_at": now,
        "due_at": finding.fires_at,
    }


def _view(alert_id: int, row: dict[str, Any], name: str) -> AlertView:
    return AlertView(
        id=alert_id,
        lead_id=row["lead_id"],
        lead_name=name,
        rule=row["rule"],
        kind=row["kind"],
        reason=row["reason"],
        intent=row["intent"],
        status="open",
        raised_at=row["raised_at"],
        due_at=row["due_at"],
        snoozed_until=None,
        resolved_at=None,
        outcome=None,
    )
