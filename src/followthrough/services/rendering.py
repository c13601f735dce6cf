"""Rendering a template without the database: its context from plain values, and the render.

Templates are text anyone may share, so they render in a sandbox that refuses attribute walks
to Python internals, caps what a template can produce and stops one that runs too long. A
template that fails yields a `TemplateProblem` naming the line, never half a message.
`render_and_lint` is the one way a draft, a preview or `templates lint` renders and then
reads the result.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError

from followthrough.domain.dates import WEEKDAY_NAMES, calendar_day, clock_time, month_name
from followthrough.domain.drafting import LintFinding, lint_draft
from followthrough.domain.preferences import WEEKDAYS, Preferences
from followthrough.domain.signals import SignalKind
from followthrough.domain.templates import TemplateSpec, format_template
from followthrough.errors import InvalidData
from followthrough.services.clock import local_zone
from followthrough.services.readmodels import AlertView, EventView, LeadView
from followthrough.services.sandbox import (
    MAX_OUTPUT,
    MAX_SOURCE,
    MAX_SUBJECT,
    TIME_LIMIT,
    Budget,
    Empty,
    Named,
    Refused,
    check_clock,
    check_size,
    compile_source,
    current_budget,
)


class TemplateProblem(InvalidData):
    """A template that cannot render: `field` is "subject" or "body", `line` its file line."""

    def __init__(self, message: str, field: str = "body", line: int | None = None) -> None:
        super().__init__(message, field)
        self.line = line


@dataclass(frozen=True)
class RenderedDraft:
    subject: str
    body: str
    empty_values: tuple[tuple[str, int], ...]  # (merge name, offset in body) rendered empty


# --- the context: plain data ---------------------------------------------------------------


def day_words(moment: datetime | date) -> str:
    """'Thursday 4 Dec', read on the local clock: how a message names a day."""
    day = calendar_day(moment, local_zone()) if isinstance(moment, datetime) else moment
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {month_name(day)}"


def draft_context(
    lead: LeadView,
    alert: AlertView | None,
    prefs: Preferences,
    now: datetime,
    timeline: Sequence[EventView] = (),
) -> dict[str, Any]:
    """What a template may use: lead, alert, sender and dates, as plain values."""
    due = lead.next_step_due
    return {
        "lead": {
            "name": lead.name,
            "first_name": lead.name.split()[0] if lead.name.split() else "",
            "company": lead.company or "",
            "email": lead.email or "",
            "title": lead.title or "",
            "next_step": lead.next_step or "",
            "next_step_due": day_words(due) if due else "",
            "next_step_due_time": clock_time(due, local_zone()) if due else "",
            "next_step_due_at": due.isoformat() if due else "",
            "days_silent": _days_silent(lead, now),
            "unanswered": lead.unanswered,
            "proposal_views": sum(e.kind == SignalKind.PROPOSAL_VIEWED for e in timeline),
            "last_contact": day_words(lead.last_outbound_at) if lead.last_outbound_at else "",
            "last_reply": day_words(lead.last_inbound_at) if lead.last_inbound_at else "",
            "recycle_reason": lead.recycle_reason or "",
            "state": lead.state.value,
            "tags": list(lead.tags),
        },
        "alert": None
        if alert is None
        else {"rule": alert.rule, "reason": alert.reason, "kind": alert.kind.value},
        "sender": {"name": prefs.sender_name, "signature": prefs.signature},
        "dates": _dates(now, prefs),
    }


def _days_silent(lead: LeadView, now: datetime) -> int:
    """Whole days since our last touch, when the buyer has not engaged since; else 0."""
    out, back = lead.last_outbound_at, lead.last_inbound_at
    if out is None or (back is not None and back >= out):
        return 0
    return max(0, (now - out).days)


def _dates(now: datetime, prefs: Preferences) -> dict[str, str]:
    today = calendar_day(now, local_zone())
    ahead = [today + timedelta(days=n) for n in range(1, 15)]
    working = [d for d in ahead if WEEKDAYS[d.weekday()] in prefs.work_days]
    dates = {
        "today": day_words(today),
        "tomorrow": day_words(ahead[0]),
        "next_working_day": day_words(working[0]),
        "second_working_day": day_words(working[1]),
        "in_a_week": day_words(today + timedelta(days=7)),
        "in_two_weeks": day_words(today + timedelta(days=14)),
        "in_a_month": day_words(today + timedelta(days=30)),
    }
    # dates.friday: the coming Friday, never today.
    for name, weekday in zip(WEEKDAY_NAMES, range(7), strict=True):
        dates[name.lower()] = day_words(next(d for d in ahead if d.weekday() == weekday))
    dates["next_monday"] = dates["monday"]
    return dates


# --- rendering -----------------------------------------------------------------------------


def render_template(spec: TemplateSpec, context: dict[str, Any]) -> RenderedDraft:
    """Render a template's subject and body with `context`; any problem → TemplateProblem."""
    names: list[str] = []
    data = {key: _prepare(value, key, names) for key, value in context.items()}
    first = _body_first_line(spec)
    # The subject line sits two lines above the body (a blank line between).
    subject = _render_part(spec.subject, data, "subject", max(first - 3, 0), MAX_SUBJECT)
    body = _render_part(spec.body, data, "body", first - 1, MAX_OUTPUT)
    subject, _ = _take_markers(" ".join(subject.split()), names)
    body, empties = _take_markers(body, names)
    return RenderedDraft(subject, body, empties)


def _prepare(value: Any, name: str, names: list[str]) -> Any:
    """Plain data → what templates see: named groups, empty values as recorded markers."""
    if isinstance(value, dict):
        return Named(name, {k: _prepare(v, f"{name}.{k}", names) for k, v in value.items()})
    if value is None and "." not in name:
        return Named(name, {}, absent=True)
    if value is None or (isinstance(value, str) and not value.strip()):
        names.append(name)
        return Empty(len(names) - 1)
    if isinstance(value, str):
        return value.replace("\ue000", "").replace("\ue001", "")
    if isinstance(value, list | tuple):
        return [_prepare(item, name, names) for item in value]
    return value


def _render_part(source: str, data: dict[str, Any], part: str, offset: int, cap: int) -> str:
    if len(source) > MAX_SOURCE:
        raise TemplateProblem(
            f"{_where(part, None)}the {part} is longer than {MAX_SOURCE:,} characters", part
        )
    token = current_budget.set(Budget(time.perf_counter() + TIME_LIMIT))
    try:
        template = compile_source(source)
        out: list[str] = []
        size = 0
        for chunk in template.generate(data):
            size += len(chunk)
            if size > cap:
                check_size(size, cap)
            check_clock()
            out.append(chunk)
        return "".join(out)
    except Exception as error:  # a template may fail in any way: none may escape as a crash
        found: int | None
        if isinstance(error, TemplateSyntaxError):
            found, message = error.lineno, error.message or str(error)
        else:
            found, message = _template_line(error), _describe(error)
        line = None if found is None else found + offset
        raise TemplateProblem(_where(part, line) + message, part, line) from None
    finally:
        current_budget.reset(token)


def _where(part: str, line: int | None) -> str:
    if part == "subject":
        return "subject: "
    return f"line {line}: " if line is not None else ""


def _template_line(error: BaseException) -> int | None:
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _describe(error: Exception) -> str:
    if isinstance(error, Refused):
        return str(error)
    if isinstance(error, SecurityError) and not str(error).startswith("not allowed"):
        return f"not allowed in a template: {error}"
    if isinstance(error, UndefinedError):
        return str(error)
    if isinstance(error, RecursionError):
        return "the template calls itself too deeply"
    if isinstance(error, MemoryError):
        return "the template needs more memory than a message can"
    return str(error) or type(error).__name__


def _body_first_line(spec: TemplateSpec) -> int:
    """The file line the body starts on, so messages point where the author edits."""
    text = format_template(spec)
    tail = spec.body + "\n"
    return text[: -len(tail)].count("\n") + 1 if text.endswith(tail) else 1


_MARKER = re.compile("\ue000([\uf000-\uf8ff])\ue001")
# Blocks that render nothing leave blank lines and trailing spaces; a message has neither.
_TIDY = (
    (re.compile(r"[ \t]+(?=\n)"), ""),
    (re.compile(r"\n{3,}"), "\n\n"),
    (re.compile(r"\A\s+|\s+\Z"), ""),
)


def _take_markers(text: str, names: list[str]) -> tuple[str, tuple[tuple[str, int], ...]]:
    """The text without empty-value markers, and (name, offset) for each, offsets tidied."""
    matches = list(_MARKER.finditer(text))
    found = [names[ord(m.group(1)) - 0xF000] for m in matches]
    offsets = [m.start() for m in matches]
    text, offsets = _substitute(_MARKER, "", text, offsets)
    # A filter may have cut a marker in half: what is left of it must not reach the buyer.
    text, offsets = _substitute(re.compile("[\ue000\ue001]"), "", text, offsets)
    for pattern, replacement in _TIDY:
        text, offsets = _substitute(pattern, replacement, text, offsets)
    return text, tuple(zip(found, offsets, strict=True))


def _substitute(
    pattern: re.Pattern[str], replacement: str, text: str, offsets: list[int]
) -> tuple[str, list[int]]:
    """`pattern.sub` that also moves `offsets` into the new text."""
    matches = list(pattern.finditer(text))
    if not matches:
        return text, offsets
    moved = []
    for offset in offsets:
        shift = 0
        for match in matches:
            if match.end() <= offset:
                shift += len(replacement) - (match.end() - match.start())
            elif match.start() < offset:  # inside what is replaced: keep to its start
                shift -= offset - match.start() - min(offset - match.start(), len(replacement))
        moved.append(offset + shift)
    return pattern.sub(replacement, text), moved


def render_and_lint(
    spec: TemplateSpec, context: dict[str, Any]
) -> tuple[RenderedDraft, tuple[LintFinding, ...]]:
    """Render `spec` with `context`, then read the message as the person would send it."""
    rendered = render_template(spec, context)
    findings = lint_draft(
        rendered.subject,
        rendered.body,
        intent=spec.intent,
        channel=spec.channel,
        empty_values=rendered.empty_values,
    )
    return rendered, tuple(findings)
