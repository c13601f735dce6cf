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

Pure: parsing and choosing take text and data, never files or the database.
"""

from __future__ import annotations

from dataclasses import dataclass

INTENTS = ("advance", "clarify", "close_loop")
DECISIONS = ("relevance", "risk", "next_step", "inaction")
CHANNELS = ("email", "linkedin")


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
