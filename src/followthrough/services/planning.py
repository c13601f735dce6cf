"""Re-planning one lead inside a write transaction: what the rules say now, written down.

Called by every service that changes a lead (so `next_check_at` is always right) and by the
tick (which also raises what is due). Kept apart from `alerts.py` so `leads.py` can use it
without an import cycle.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from followthrough.domain.policy import Policy
from followthrough.domain.rules import (
    Finding,
    HandledAlert,
    LeadFacts,
    evaluate,
    reactivation_time,
)
from followthrough.domain.signals import EventKind, TimelineEntry
from followthrough.domain.states import State
from followthrough.store.models import Alert, Event, Lead, Setting

LIVE = ("open", "snoozed")
HANDLED = ("done", "dismissed")
POLICY_KEY = "policy"


def load_policy(session: Session) -> Policy:
    row = session.get(Setting, POLICY_KEY)
    return Policy.from_json(row.value if row else None)


def lead_facts(session: Session, lead: Lead, alerts: list[Alert]) -> LeadFacts:
    events = session.exec(
        select(Event.at, Event.kind, Event.direction, Event.payload)
        .where(Event.lead_id == lead.id)
        .order_by(col(Event.at), col(Event.id))
    ).all()
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


def replan(
    session: Session, lead: Lead, now: datetime, policy: Policy, *, raise_due: bool = False
) -> list[Alert]:
    """Clear alerts whose condition is gone, optionally raise those due, set next_check_at.

    Returns the alerts raised or reopened. `next_check_at` becomes the earliest moment that
    needs the engine: a finding not raised yet (possibly already past, for the next tick to
    raise) or the end of a snooze.
    """
    alerts = list(session.exec(select(Alert).where(Alert.lead_id == lead.id)).all())
    findings = {f.rule: f for f in evaluate(lead_facts(session, lead, alerts), policy)}
    by_episode = {(a.rule, a.episode): a for a in alerts}
    raised: list[Alert] = []

    for alert in alerts:
        current = findings.get(alert.rule)
        if alert.status in LIVE and (current is None or current.episode != alert.episode):
            alert.status, alert.resolved_at, alert.snoozed_until = "cleared", now, None
        elif raise_due and alert.status == "snoozed" and _woken(alert, now):
            alert.status, alert.snoozed_until = "open", None
            raised.append(alert)
    session.flush()  # the cleared ones must leave the one-live-alert-per-rule index first

    pending: list[datetime] = []
    for finding in findings.values():
        existing = by_episode.get((finding.rule, finding.episode))
        if existing is not None and existing.status != "cleared":
            continue
        if raise_due and finding.fires_at <= now:
            raised.append(_raise(session, lead, finding, existing, now))
        else:
            pending.append(finding.fires_at)
    pending += [a.snoozed_until for a in alerts if a.status == "snoozed" and a.snoozed_until]
    lead.next_check_at = min(pending) if pending else None
    return raised


def _woken(alert: Alert, now: datetime) -> bool:
    return alert.snoozed_until is None or alert.snoozed_until <= now


def _raise(
    session: Session, lead: Lead, finding: Finding, existing: Alert | None, now: datetime
) -> Alert:
    if existing is not None:  # the same occurrence came back (an undone reply): reopen it
        alert = existing
        alert.status, alert.resolved_at, alert.reason = "open", None, finding.reason
    else:
        assert lead.id is not None
        alert = Alert(
            lead_id=lead.id,
            rule=finding.rule,
            kind=finding.kind,
            reason=finding.reason,
            episode=finding.episode,
            intent=finding.intent,
            status="open",
            raised_at=now,
            due_at=finding.fires_at,
        )
        session.add(alert)
    session.flush()
    return alert
