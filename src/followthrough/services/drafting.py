"""Drafting a follow-up from what is stored: the lead, its alert, the templates that fit.

Rendering itself needs no database and lives in `rendering`; this module reads what a draft
or a preview is made from, and logs what was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from followthrough.domain.alerts import LIVE, AlertStatus
from followthrough.domain.drafting import LintFinding
from followthrough.domain.signals import Direction, SignalKind
from followthrough.domain.templates import TemplateSpec, choose_templates
from followthrough.errors import InvalidData, NotFound
from followthrough.services import leads, templates
from followthrough.services.alerts import get_alert, urgency_key
from followthrough.services.clock import utcnow
from followthrough.services.lead_queries import get_lead
from followthrough.services.preferences import get_preferences
from followthrough.services.readmodels import AlertView
from followthrough.services.rendering import (
    RenderedDraft,
    TemplateProblem,
    draft_context,
    render_and_lint,
)
from followthrough.services.retired_templates import get_retired
from followthrough.store.db import Database
from followthrough.store.models import Alert, Lead, Template


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    template: str  # slug
    title: str
    intent: str
    decision: str
    channel: str
    findings: tuple[LintFinding, ...]
    alternatives: tuple[str, ...]  # other templates that fit, best first
    alert_id: int | None = None  # the alert drafted for (chosen when none was named)


def draft_for(
    db: Database,
    lead_id: int,
    alert_id: int | None = None,
    template_slug: str | None = None,
    now: datetime | None = None,
) -> Draft:
    """Draft a follow-up for a lead: for `alert_id`, or its most urgent open alert.

    With no template named, the best fitting one that renders is used: a broken template of
    the user's own must not stop drafting, and its problem shows when it is chosen by name.
    """
    now = now or utcnow()
    detail = get_lead(db, lead_id, now)
    alert = _alert_for(db, lead_id, alert_id)
    context = draft_context(detail.lead, alert, get_preferences(db), now, detail.timeline)
    fitting = choose_templates(
        templates.list_templates(db),
        rule=alert.rule if alert else None,
        intent=alert.intent if alert else None,
        state=detail.lead.state.value,
        retired=get_retired(db),
    )
    if template_slug is not None:
        spec = templates.get_template(db, template_slug)
        rendered, findings = render_and_lint(spec, context)
    else:
        if not fitting:
            raise NotFound("there is no template to draft with")
        spec, (rendered, findings) = _first_that_renders(fitting, context)
    return Draft(
        subject=rendered.subject,
        body=rendered.body,
        template=spec.slug,
        title=spec.title,
        intent=spec.intent,
        decision=spec.decision,
        channel=spec.channel,
        findings=findings,
        alternatives=tuple(t.slug for t in fitting if t.slug != spec.slug),
        alert_id=alert.id if alert else None,
    )


def preview_context(
    db: Database, spec: TemplateSpec, lead_id: int | None, now: datetime | None = None
) -> dict[str, Any]:
    """What a template being edited is previewed with: a lead and its most urgent open alert.

    With no lead chosen, or one deleted meanwhile, the template's sample (a sample reads
    better than an error while the person is typing).
    """
    if lead_id is None:
        return templates.sample_context(spec)
    now = now or utcnow()
    try:
        detail = get_lead(db, lead_id, now)
    except NotFound:
        return templates.sample_context(spec)
    alert = _alert_for(db, lead_id, None)
    return draft_context(detail.lead, alert, get_preferences(db), now, detail.timeline)


def _first_that_renders(
    fitting: Sequence[TemplateSpec], context: dict[str, Any]
) -> tuple[TemplateSpec, tuple[RenderedDraft, tuple[LintFinding, ...]]]:
    first_problem: TemplateProblem | None = None
    for spec in fitting:
        try:
            return spec, render_and_lint(spec, context)
        except TemplateProblem as problem:
            first_problem = first_problem or problem
    assert first_problem is not None
    raise first_problem


def _alert_for(db: Database, lead_id: int, alert_id: int | None) -> AlertView | None:
    """The alert named (it must be this lead's), or else the lead's most urgent open one."""
    if alert_id is not None:
        alert = get_alert(db, alert_id)
        if alert.lead_id != lead_id:
            raise InvalidData(f"alert {alert_id} is about another lead", "alert")
        return alert
    with db.read() as session:
        rows = session.exec(
            select(Alert, Lead.name)
            .join(Lead, col(Lead.id) == Alert.lead_id)
            .where(Alert.lead_id == lead_id, Alert.status == AlertStatus.OPEN)
        ).all()
        views = [AlertView.of(row, name) for row, name in rows]
    return min(views, key=urgency_key) if views else None


def mark_sent(
    db: Database,
    lead_id: int,
    *,
    subject: str,
    body: str,
    template: str | None,
    alert_id: int | None,
    next_step: str | None,
    next_step_due: datetime | None,
    now: datetime | None = None,
    channel: str = "email",
) -> None:
    """The message went out: log it, close its alert, set what happens next, re-plan.

    One transaction, so the timeline, the alert and the plan never disagree. `next_step`
    None keeps the current step; "" clears it. An alert resolved meanwhile (the buyer
    answered, say) stays as it is: the message was sent all the same.
    """
    now = now or utcnow()
    if not body.strip():
        raise InvalidData("the message is empty", "body")
    with db.write() as session:
        lead = leads._load(session, lead_id)
        alert: Alert | None = None
        if alert_id is not None:
            alert = session.get(Alert, alert_id)
            if alert is None or alert.lead_id != lead_id:
                raise NotFound(f"no alert {alert_id} for this lead")
            if alert.status in LIVE:
                alert.status, alert.resolved_at, alert.snoozed_until = AlertStatus.DONE, now, None
        leads._record(
            session,
            lead,
            SignalKind.SENT,
            now,
            now,
            direction=Direction.OUT,
            channel=channel,
            text=f"{subject}\n\n{body}" if subject else body,
            payload=_sent_facts(session, template, subject, alert),
        )
        session.flush()
        leads._recount_touches(session, lead)
        if next_step is not None or next_step_due is not None:
            leads._apply_next_step(lead, next_step, next_step_due)
        lead.updated_at = now
        leads._replan(session, lead, now)


def _sent_facts(
    session: Session, template: str | None, subject: str, alert: Alert | None
) -> dict[str, Any]:
    """What a sent message remembers for the reports: its template, the intent and the one
    decision it asked for, and the alert (rule) it answered. A shipped template is found
    among the built-ins (they are files, not rows); the person's own in the table."""
    intent: str | None = alert.intent if alert else None
    decision: str | None = None
    if template:
        shipped = {spec.slug: spec for spec in templates.builtin_templates()}.get(template)
        row = (
            None
            if shipped
            else session.exec(select(Template).where(Template.slug == template)).first()
        )
        found = shipped or row
        if found is not None:
            intent, decision = found.intent, found.decision
    return {
        "template": template,
        "subject": subject,
        "intent": intent,
        "decision": decision,
        "alert": alert.id if alert else None,
        "rule": alert.rule if alert else None,
    }
