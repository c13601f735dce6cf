"""Follow-up templates as data: what a template is, how its file reads, which one fits an alert.

A template file is a small header, a line of three dashes, a subject line and the body:

    slug: hot-silence-one-question
    title: Hot lead gone quiet
    intent: advance
    decision: next_step
    rules: silence, due
    states: hot
    channel: email
    ---
    Subject: {{ lead.company or lead.name }}: Thursday or Friday?

    Hi {{ lead.first_name }},
    ...

`rules` and `states` may be left out (the template then fits any), and so may `channel`
(e-mail). A LinkedIn message needs no subject line. Lines starting with `#` in the header
are comments.

Pure: parsing and choosing take text and data, never files or the database.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from followthrough.domain.alerts import AlertRule, Intent
from followthrough.errors import InvalidData

INTENTS = tuple(intent.value for intent in Intent)
DECISIONS = ("relevance", "risk", "next_step", "inaction")
CHANNELS = ("email", "linkedin")
# The alert rules a template may answer: the names domain/rules.py gives its findings.
RULES = tuple(rule.value for rule in AlertRule)
STATES = ("hot", "warm", "recycle")

MAX_SLUG = 60
MAX_TITLE = 120
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_KEYS = ("slug", "title", "intent", "decision", "rules", "states", "channel")
_REQUIRED = ("slug", "title", "intent", "decision")
_SUBJECT = re.compile(r"subject\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class TemplateSpec:
    slug: str  # lowercase letters, digits and dashes; unique
    title: str
    intent: str  # one of INTENTS
    decision: str  # one of DECISIONS: the one buyer decision the message asks for
    rules: tuple[str, ...]  # alert rules it answers (domain/rules.py names); () = any
    states: tuple[str, ...]  # lead states it suits ("hot", "warm", "recycle"); () = any
    channel: str  # one of CHANNELS
    subject: str  # Jinja source of the subject line ("" for LinkedIn)
    body: str  # Jinja source of the body
    builtin: bool = False  # shipped with the app: read-only, duplicate to change


# --- reading and writing template files ----------------------------------------------------


def parse_template(text: str, *, builtin: bool = False) -> TemplateSpec:
    """The template a file's text describes; a mistake → InvalidData naming the line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header: dict[str, tuple[str, int]] = {}
    dashes = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line == "---":
            dashes = number
            break
        if not line or line.startswith("#"):
            continue
        _read_header_line(line, number, header)
    if dashes is None:
        last = max(len(lines) - (lines[-1] == ""), 1)
        raise InvalidData(
            f"line {last}: the file ends before the '---' line that starts the message", "header"
        )
    # Values are checked in file order, so the first mistake reported is the first one made.
    values: dict[str, Any] = {}
    for key, (value, number) in sorted(header.items(), key=lambda item: item[1][1]):
        values[key] = _CHECKS[key](value, number)
    for key in _REQUIRED:
        if key not in values:
            raise InvalidData(f"line {dashes}: the header has no '{key}' line", key)
    channel = values.get("channel", "email")
    subject, body, body_line = _message(lines, dashes, channel)
    if not body.strip():
        raise InvalidData(f"line {body_line}: the message body is empty", "body")
    return TemplateSpec(
        slug=values["slug"],
        title=values["title"],
        intent=values["intent"],
        decision=values["decision"],
        rules=values.get("rules", ()),
        states=values.get("states", ()),
        channel=channel,
        subject=subject,
        body=body,
        builtin=builtin,
    )


def format_template(spec: TemplateSpec) -> str:
    """The file text for a template: `parse_template(format_template(spec)) == spec`."""
    head = [f"slug: {spec.slug}", f"title: {spec.title}", f"intent: {spec.intent}"]
    head.append(f"decision: {spec.decision}")
    if spec.rules:
        head.append(f"rules: {', '.join(spec.rules)}")
    if spec.states:
        head.append(f"states: {', '.join(spec.states)}")
    head += [f"channel: {spec.channel}", "---"]
    # A LinkedIn body that itself starts with "Subject:" keeps an empty subject line, so it
    # is not read back as one.
    if spec.subject or spec.channel == "email" or _SUBJECT.match(spec.body.lstrip()):
        head += [f"Subject: {spec.subject}".rstrip(), ""]
    return "\n".join(head) + "\n" + spec.body + "\n"


def _read_header_line(line: str, number: int, header: dict[str, tuple[str, int]]) -> None:
    key, colon, value = line.partition(":")
    key = key.strip().lower()
    if not colon or not key:
        raise InvalidData(
            f"line {number}: expected 'name: value' in the header, or '---' to end it", "header"
        )
    if key == "subject":
        raise InvalidData(f"line {number}: the subject goes after the '---' line", "header")
    if key not in _KEYS:
        raise InvalidData(
            f"line {number}: unknown header '{key}' (use {_choices(_KEYS)})", "header"
        )
    if key in header:
        raise InvalidData(
            f"line {number}: '{key}' is given twice (first on line {header[key][1]})", key
        )
    header[key] = (value.strip(), number)


def _checked_slug(slug: str, number: int) -> str:
    if not _SLUG.fullmatch(slug) or len(slug) > MAX_SLUG:
        raise InvalidData(
            f"line {number}: the slug '{slug}' must be lowercase letters, digits and single "
            f"dashes, at most {MAX_SLUG} characters (like 'warm-silence-2')",
            "slug",
        )
    return slug


def _checked_title(title: str, number: int) -> str:
    if not title:
        raise InvalidData(f"line {number}: the title is empty", "title")
    if len(title) > MAX_TITLE:
        raise InvalidData(
            f"line {number}: the title is longer than {MAX_TITLE} characters", "title"
        )
    return title


def _one_of(key: str, value: str, number: int, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise InvalidData(f"line {number}: unknown {key} '{value}' (use {_choices(allowed)})", key)
    return value


def _list_of(key: str, value: str, number: int, allowed: Sequence[str]) -> tuple[str, ...]:
    items: list[str] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        _one_of(key, item, number, allowed)
        if item not in items:
            items.append(item)
    return tuple(items)


_CHECKS: dict[str, Callable[[str, int], Any]] = {
    "slug": _checked_slug,
    "title": _checked_title,
    "intent": functools.partial(_one_of, "intent", allowed=INTENTS),
    "decision": functools.partial(_one_of, "decision", allowed=DECISIONS),
    "channel": functools.partial(_one_of, "channel", allowed=CHANNELS),
    "rules": functools.partial(_list_of, "rule", allowed=RULES),
    "states": functools.partial(_list_of, "state", allowed=STATES),
}


def _choices(allowed: Sequence[str]) -> str:
    return ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]


def _message(lines: list[str], dashes: int, channel: str) -> tuple[str, str, int]:
    """Subject, body and the file line the body starts on, from what follows '---'."""
    rest = lines[dashes:]
    first = dashes + 1  # file line of rest[0]
    skipped = 0
    while skipped < len(rest) and not rest[skipped].strip():
        skipped += 1
    subject = ""
    if skipped < len(rest) and _SUBJECT.match(rest[skipped].lstrip()):
        line = rest[skipped].lstrip()
        subject = line[line.index(":") + 1 :].strip()
        if not subject and channel == "email":
            raise InvalidData(f"line {first + skipped}: the subject is empty", "subject")
        rest, first = rest[skipped + 1 :], first + skipped + 1
    elif channel == "email":
        raise InvalidData(
            f"line {first + min(skipped, len(rest))}: an e-mail template needs a "
            "'Subject: …' line after '---'",
            "subject",
        )
    # The body runs to the end of the file, without the blank lines around it; an empty one
    # is reported where it should have started.
    start = first
    while rest and not rest[0].strip():
        rest, first = rest[1:], first + 1
    body = "\n".join(rest).rstrip()
    return subject, body, first if body else start


# --- choosing a template for an alert ------------------------------------------------------

# Weights: a matching rule outranks everything else together, and so on down.
_RULE, _INTENT, _STATE, _CHANNEL = 8, 4, 2, 1


def choose_templates(
    specs: Iterable[TemplateSpec],
    *,
    rule: str | None,
    intent: str | None,
    state: str | None,
    channel: str | None = None,
    retired: Collection[str] = (),
) -> list[TemplateSpec]:
    """The templates that fit, best first: rule, then intent, then state, then channel.

    A template naming other rules or states than the alert's does not fit, and neither does a
    LinkedIn one unless LinkedIn is asked for; those come back only when nothing fits. Ties go
    by slug, so the choice is the same every time. A retired template (one the person stopped
    using) comes back only when no other template exists at all.
    """
    fitting: list[tuple[int, str, TemplateSpec]] = []
    others: list[tuple[int, str, TemplateSpec]] = []
    put_away: list[tuple[int, str, TemplateSpec]] = []
    for spec in specs:
        score = (
            _RULE * (rule is not None and rule in spec.rules)
            + _INTENT * (intent is not None and intent == spec.intent)
            + _STATE * (state is not None and state in spec.states)
            + _CHANNEL * (channel is not None and channel == spec.channel)
        )
        excluded = (
            (rule is not None and bool(spec.rules) and rule not in spec.rules)
            or (state is not None and bool(spec.states) and state not in spec.states)
            or (channel is None and spec.channel != "email")
        )
        if spec.slug in retired:
            put_away.append((-score, spec.slug, spec))
            continue
        (others if excluded else fitting).append((-score, spec.slug, spec))
    chosen = fitting or others or put_away
    chosen.sort(key=lambda entry: entry[:2])
    return [spec for _, _, spec in chosen]
