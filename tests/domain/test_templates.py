"""Template files: what parses, how mistakes are reported, and which template fits an alert."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followthrough.domain.templates import (
    CHANNELS,
    DECISIONS,
    INTENTS,
    RULES,
    STATES,
    TemplateSpec,
    choose_templates,
    format_template,
    parse_template,
)
from followthrough.errors import InvalidData

GOOD = """\
slug: warm-nudge
title: Warm lead, one question
intent: clarify
decision: relevance
rules: silence, engagement_drop
states: warm
channel: email
---
Subject: Still on your list, {{ lead.first_name }}?

Hi {{ lead.first_name }},

Is this still a priority this quarter?

{{ sender.name }}
"""


def test_a_template_file_reads_into_its_parts() -> None:
    spec = parse_template(GOOD)
    assert spec == TemplateSpec(
        slug="warm-nudge",
        title="Warm lead, one question",
        intent="clarify",
        decision="relevance",
        rules=("silence", "engagement_drop"),
        states=("warm",),
        channel="email",
        subject="Still on your list, {{ lead.first_name }}?",
        body="Hi {{ lead.first_name }},\n\nIs this still a priority this quarter?\n\n"
        "{{ sender.name }}",
    )
    assert parse_template(GOOD, builtin=True).builtin


def test_optional_header_lines_default_to_any_rule_any_state_and_email() -> None:
    text = "slug: any\ntitle: Any\nintent: advance\ndecision: next_step\n---\nSubject: s\n\nBody"
    spec = parse_template(text)
    assert (spec.rules, spec.states, spec.channel) == ((), (), "email")


def test_comments_blank_lines_and_windows_line_ends_are_accepted() -> None:
    text = "# shared by the team\r\n\r\n" + GOOD.replace("\n", "\r\n")
    assert parse_template(text) == parse_template(GOOD)


def test_a_linkedin_message_needs_no_subject() -> None:
    text = GOOD.replace("channel: email", "channel: linkedin").replace(
        "Subject: Still on your list, {{ lead.first_name }}?\n\n", ""
    )
    spec = parse_template(text)
    assert (spec.channel, spec.subject) == ("linkedin", "")
    assert spec.body.startswith("Hi {{ lead.first_name }},")


def _error(text: str) -> InvalidData:
    with pytest.raises(InvalidData) as caught:
        parse_template(text)
    return caught.value


@pytest.mark.parametrize(
    ("broken", "message", "field"),
    [
        (
            GOOD.replace("intent: clarify", "intent: push"),
            "line 3: unknown intent 'push' (use advance, clarify or close_loop)",
            "intent",
        ),
        (
            GOOD.replace("decision: relevance", "decision: budget"),
            "line 4: unknown decision 'budget' (use relevance, risk, next_step or inaction)",
            "decision",
        ),
        (
            GOOD.replace("channel: email", "channel: fax"),
            "line 7: unknown channel 'fax' (use email or linkedin)",
            "channel",
        ),
        (
            GOOD.replace("rules: silence,", "rules: silense,"),
            "line 5: unknown rule 'silense'",
            "rule",
        ),
        (GOOD.replace("states: warm", "states: warm, cold"), "line 6: unknown state 'cold'", "state"),
        (GOOD.replace("title: Warm lead, one question\n", ""), "line 7: the header has no 'title'", "title"),
        (GOOD.replace("slug: warm-nudge", "slug: Warm Nudge"), "line 1: the slug 'Warm Nudge'", "slug"),
        (GOOD.replace("slug: warm-nudge", "slug: warm--nudge"), "line 1: the slug", "slug"),
        (GOOD.replace("---\n", ""), "line 8: the subject goes after the '---' line", "header"),
        (
            GOOD.split("---")[0] + "Hi there,\n",
            "line 8: expected 'name: value' in the header",
            "header",
        ),
        (GOOD.split("---")[0], "the file ends before the '---' line", "header"),
        (
            GOOD.replace("Subject: Still on your list, {{ lead.first_name }}?\n", ""),
            "line 10: an e-mail template needs a 'Subject: …' line",
            "subject",
        ),
        (
            GOOD.replace("Subject: Still on your list, {{ lead.first_name }}?", "Subject:"),
            "line 9: the subject is empty",
            "subject",
        ),
        (GOOD.replace("title: Warm", "colour: blue\ntitle: Warm"), "line 2: unknown header 'colour'", "header"),
        (GOOD.replace("intent: clarify", "intent: clarify\nintent: advance"), "line 4: 'intent' is given twice (first on line 3)", "intent"),
        (GOOD.split("\n\n")[0] + "\n\n   \n", "line 10: the message body is empty", "body"),
    ],
)  # fmt: skip
def test_mistakes_are_reported_with_the_line_they_are_on(
    broken: str, message: str, field: str
) -> None:
    error = _error(broken)
    assert message in error.message
    assert error.message.startswith("line ")
    assert error.field == field


def test_the_last_line_is_named_when_the_dashes_are_missing() -> None:
    header_only = GOOD.split("---")[0]
    assert _error(header_only).message.startswith("line 7:")


# --- round trip -----------------------------------------------------------------------------

_line = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40
).map(str.strip)
_body = st.lists(_line, min_size=1, max_size=6).map("\n".join).map(str.strip)


def _subset(options: tuple[str, ...]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(options), unique=True).map(tuple)


@st.composite
def specs(draw: st.DrawFn) -> TemplateSpec:
    channel = draw(st.sampled_from(CHANNELS))
    subject = draw(_line.filter(bool)) if channel == "email" else draw(_line)
    return TemplateSpec(
        slug=draw(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)),
        title=draw(_line.filter(bool)),
        intent=draw(st.sampled_from(INTENTS)),
        decision=draw(st.sampled_from(DECISIONS)),
        rules=draw(_subset(RULES)),
        states=draw(_subset(STATES)),
        channel=channel,
        subject=subject,
        body=draw(_body.filter(bool)),
    )


@given(specs())
def test_formatting_then_parsing_gives_back_the_same_template(spec: TemplateSpec) -> None:
    assert parse_template(format_template(spec)) == spec


def test_a_linkedin_body_that_starts_like_a_subject_line_survives_the_round_trip() -> None:
    spec = dataclasses.replace(
        parse_template(GOOD), channel="linkedin", subject="", body="Subject: our call\nHi"
    )
    assert parse_template(format_template(spec)) == spec


# --- choosing -------------------------------------------------------------------------------


def _spec(
    slug: str,
    *,
    intent: str = "advance",
    rules: tuple[str, ...] = (),
    states: tuple[str, ...] = (),
    channel: str = "email",
) -> TemplateSpec:
    return TemplateSpec(slug, slug, intent, "next_step", rules, states, channel, "s", "b")


def _slugs(specs: list[TemplateSpec]) -> list[str]:
    return [s.slug for s in specs]


def test_a_matching_rule_beats_intent_and_state_together() -> None:
    library = [
        _spec("by-rule", intent="clarify", rules=("silence",)),
        _spec("by-intent-and-state", intent="advance", states=("hot",)),
        _spec("by-intent", intent="advance"),
        _spec("by-state", intent="clarify", states=("hot",)),
        _spec("generic", intent="clarify"),
    ]
    chosen = choose_templates(library, rule="silence", intent="advance", state="hot")
    assert _slugs(chosen) == ["by-rule", "by-intent-and-state", "by-intent", "by-state", "generic"]


def test_templates_for_other_rules_or_states_are_dropped_while_others_fit() -> None:
    library = [
        _spec("for-guard", intent="close_loop", rules=("guard",)),
        _spec("for-warm", states=("warm",)),
        _spec("generic", intent="clarify"),
    ]
    assert _slugs(choose_templates(library, rule="silence", intent="advance", state="hot")) == [
        "generic"
    ]
    # With nothing else, the closest misfits are still offered, best first.
    misfits = library[:2]
    assert _slugs(choose_templates(misfits, rule="silence", intent="advance", state="hot")) == [
        "for-warm",
        "for-guard",
    ]


def test_linkedin_templates_come_only_when_asked_for() -> None:
    library = [
        _spec("email-one", rules=("silence",)),
        _spec("linkedin-one", rules=("silence",), channel="linkedin"),
    ]
    by_default = choose_templates(library, rule="silence", intent="advance", state="hot")
    assert _slugs(by_default) == ["email-one"]
    asked = choose_templates(
        library, rule="silence", intent="advance", state="hot", channel="linkedin"
    )
    assert _slugs(asked) == ["linkedin-one", "email-one"]


def test_ties_go_by_slug_and_no_alert_means_any_template() -> None:
    library = [_spec("b", rules=("guard",)), _spec("c"), _spec("a", states=("warm",))]
    assert _slugs(choose_templates(library, rule=None, intent=None, state=None)) == ["a", "b", "c"]
