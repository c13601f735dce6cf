"""What the template being edited would write for a lead: run on the operations worker.

No Qt here: a function of the database, the text typed so far and the lead chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.drafting import LintFinding, lint_draft
from followthrough.domain.templates import TemplateSpec, format_template, parse_template
from followthrough.errors import InvalidData, NotFound
from followthrough.services import alerts
from followthrough.services.clock import utcnow
from followthrough.services.drafting import TemplateProblem, draft_context, render_template
from followthrough.services.lead_queries import get_lead
from followthrough.services.preferences import get_preferences
from followthrough.services.templates import sample_context
from followthrough.store.db import Database

_LINE = re.compile(r"^line (\d+): ")
_SUBJECT_LINE = re.compile(r"^\s*subject\s*:", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Preview:
    subject: str = ""
    body: str = ""
    findings: tuple[LintFinding, ...] = ()
    problem: str = ""  # why there is no preview; names the line of the text when it can
    line: int | None = None  # that line, 1-based, in the text as typed


def preview_template(db: Database, text: str, lead_id: int | None) -> Preview:
    """Parse, render for the lead (and its most urgent open alert) or a sample one, and lint."""
    try:
        spec = parse_template(text)
    except InvalidData as problem:
        return Preview(problem=problem.message, line=_named_line(problem.message))
    try:
        rendered = render_template(spec, _context(db, spec, lead_id))
    except TemplateProblem as problem:
        return _placed(problem, spec, text)
    findings = lint_draft(
        rendered.subject,
        rendered.body,
        intent=spec.intent,
        channel=spec.channel,
        empty_values=rendered.empty_values,
    )
    return Preview(rendered.subject, rendered.body, tuple(findings))


def _context(db: Database, spec: TemplateSpec, lead_id: int | None) -> dict[str, object]:
    if lead_id is None:
        return sample_context(spec)
    now = utcnow()
    try:
        detail = get_lead(db, lead_id, now)
    except NotFound:  # deleted meanwhile: a sample reads better than an error
        return sample_context(spec)
    waiting = [
        a for a in alerts.list_alerts(db) if a.lead_id == lead_id and a.status is AlertStatus.OPEN
    ]
    alert = min(waiting, key=alerts.urgency_key) if waiting else None
    return draft_context(detail.lead, alert, get_preferences(db), now, detail.timeline)


def _named_line(message: str) -> int | None:
    match = _LINE.match(message)
    return int(match.group(1)) if match else None


def _placed(problem: TemplateProblem, spec: TemplateSpec, text: str) -> Preview:
    """The problem with its line counted in the text as typed, not in the tidied file."""
    if problem.field == "subject":
        found = _SUBJECT_LINE.search(text[text.find("---") :]) if "---" in text else None
        line = text[: text.find("---") + found.start()].count("\n") + 1 if found else None
        return Preview(problem=problem.message, line=line)
    if problem.line is None:
        return Preview(problem=problem.message)
    tidy = format_template(spec)
    shift = _body_line(text, spec.body) - _body_line(tidy, spec.body)
    line = problem.line + shift
    message = _LINE.sub(f"line {line}: ", problem.message, count=1)
    return Preview(problem=message, line=line)


def _body_line(text: str, body: str) -> int:
    start = text.find(body, text.find("---"))
    return text[:start].count("\n") + 1 if start >= 0 else 1
