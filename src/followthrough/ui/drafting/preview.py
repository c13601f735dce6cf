"""What the template being edited would write for a lead: run on the operations worker.

No Qt here: a function of the database, the text typed so far and the lead chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from followthrough.domain.drafting import LintFinding
from followthrough.domain.templates import TemplateSpec, format_template, parse_template
from followthrough.errors import InvalidData
from followthrough.services.database import Database
from followthrough.services.drafting import preview_context
from followthrough.services.rendering import TemplateProblem, render_and_lint

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
        rendered, findings = render_and_lint(spec, preview_context(db, spec, lead_id))
    except TemplateProblem as problem:
        return _placed(problem, spec, text)
    return Preview(rendered.subject, rendered.body, findings)


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
