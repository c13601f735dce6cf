"""Templates are text people share: rendering one must never reach Python, hang or flood memory."""

from __future__ import annotations

import time
from typing import Any

import pytest

from followthrough.domain.templates import TemplateSpec
from followthrough.services.rendering import RenderedDraft, TemplateProblem, render_template
from followthrough.services.sandbox import MAX_OUTPUT

# A rendering the app waits for must end well inside this, even when it is refused.
QUICK_S = 1.0


def spec(body: str, subject: str = "A question about the pilot") -> TemplateSpec:
    return TemplateSpec(
        slug="test-template",
        title="Test",
        intent="advance",
        decision="next_step",
        rules=("silence",),
        states=("hot",),
        channel="email",
        subject=subject,
        body=body,
    )


def context(**lead: Any) -> dict[str, Any]:
    return {
        "lead": {"name": "Ana Silva", "first_name": "Ana", "company": "Acme", **lead},
        "alert": None,
        "sender": {"name": "Sam", "signature": ""},
        "dates": {"tomorrow": "Tuesday 24 Nov"},
    }


def file_line(template: TemplateSpec, fragment: str) -> int:
    """The line of the template's file holding `fragment`: where its author would look."""
    from followthrough.domain.templates import format_template

    lines = format_template(template).splitlines()
    return next(n for n, line in enumerate(lines, 1) if fragment in line)


def refused(template: TemplateSpec, data: dict[str, Any] | None = None) -> TemplateProblem:
    start = time.perf_counter()
    with pytest.raises(TemplateProblem) as caught:
        render_template(template, data or context())
    assert time.perf_counter() - start < QUICK_S
    return caught.value


ESCAPES = [
    ("{{ lead.__class__ }}", "not allowed in a template: reading '__class__'"),
    ("{{ ''.__class__.__mro__ }}", "not allowed in a template: reading '__class__'"),
    ("{{ lead|attr('__class__') }}", "not allowed in a template: reading '__class__'"),
    ("{{ ''.format.__globals__ }}", "not allowed in a template: reading '__globals__'"),
    ("{{ lead.items.__self__ }}", "not allowed in a template: reading '__self__'"),
    ("{{ '{0.__class__}'.format(lead) }}", "text.format() is not available"),
    ("{{ '{:>99999999}'.format(1) }}", "text.format() is not available"),
    ("{{ '%099999999d'|format(1) }}", "a format width of 99,999,999 characters is refused"),
    ("{{ '%*d' % (99999999, 1) }}", "a format width taken from the values ('*') is refused"),
    ("{{ 'a' * 100000000 }}", "makes text of 100,000,000 characters"),
    ("{{ ['a'] * 100000000 }}", "builds a list that writes out to 500,000,002 characters"),
    ("{{ 2 ** 100000 }}", "is too large a number"),
    ("{{ 'a'|center(100000000) }}", "padding to 100,000,000 characters is refused (at most 100)"),
    ("{{ 'a'.ljust(100000000) }}", "padding to 100,000,000 characters is refused (at most 100)"),
    ("{{ 'a'|indent(100000000) }}", "indenting by 100,000,000 characters is refused"),
    ("{{ ('a' * 20000)|replace('a', 'a' * 20000) }}", "makes text of 400,000,000 characters"),
    ("{{ ('a' * 20000).replace('a', 'a' * 20000) }}", "makes text of 400,000,000 characters"),
    ("{{ (['a' * 20000] * 20000)|join }}", "builds a list that writes out to"),
    ("{{ [[0] * 20000] * 20000 }}", "builds a list that writes out to 1,600,080,002 characters"),
    ("{{ 'a'.encode() * 100000000 }}", "text.encode() is not available in templates"),
    ("{{ 5|round(-100000000) }}", "rounding to -100,000,000 digits is refused (at most 100)"),
    ("{{ lipsum(100000) }}", "'lipsum' is undefined"),
    ("{{ cycler.__init__.__globals__ }}", "not allowed in a template: reading '__init__'"),
    ("{% for i in range(10**9) %}x{% endfor %}", "range() of 1,000,000,000 items"),
    (
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "loops run more than 100,000 times",
    ),
    (
        "{% set r = range(10000) %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}",
        "loops run more than 100,000 times",
    ),
    (
        "{% set ns = namespace(s='ab') %}{% for i in range(60) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "makes text of",
    ),
    (
        "{% set x %}{% for i in range(10000) %}{{ 'a' * 20000 }}{% endfor %}{% endset %}",
        "builds more than 1,000,000 characters",
    ),
    ("{% macro f() %}{{ f() }}{{ f() }}{% endmacro %}{{ f() }}", "calls itself too deeply"),
]


@pytest.mark.parametrize(("source", "message"), ESCAPES)
def test_escapes_and_bombs_are_refused_quickly_with_a_clear_message(
    source: str, message: str
) -> None:
    template = spec(f"Hi {{{{ lead.first_name }}}},\n\n{source}\n\nSam")
    problem = refused(template)
    assert problem.message.startswith(f"line {file_line(template, source)}: ")
    assert message in problem.message
    assert problem.field == "body"


def test_a_missing_field_names_the_line_and_the_field() -> None:
    template = spec("Hi {{ lead.first_name }},\n\nHow is {{ lead.nmae }} doing?\n\nSam")
    problem = refused(template)
    line = file_line(template, "lead.nmae")
    assert problem.message == f"line {line}: 'lead' has no attribute 'nmae'"
    assert problem.line == line
    assert problem.field == "body"


def test_an_unknown_name_and_a_missing_alert_are_named() -> None:
    assert "'leed' is undefined" in refused(spec("{{ leed.name }}")).message
    problem = refused(spec("Hi,\n{{ alert.reason }}"))
    assert "there is no alert for this draft, so 'alert.reason' is undefined" in problem.message


def test_a_syntax_error_names_its_line() -> None:
    template = spec("Hi {{ lead.first_name }},\n\n{% if lead.company %}\nsee you\n")
    problem = refused(template)
    assert problem.message.startswith("line ")
    assert problem.line is not None
    assert problem.line >= file_line(template, "{% if lead.company %}")


def test_a_problem_in_the_subject_says_so() -> None:
    problem = refused(spec("Hi", subject="About {{ lead.compnay }}"))
    assert problem.message == "subject: 'lead' has no attribute 'compnay'"
    assert problem.field == "subject"


def test_a_late_failure_gives_no_half_rendered_draft() -> None:
    # The first lines render fine; the problem comes after them: nothing at all is returned.
    body = "Hi {{ lead.first_name }},\n\n" + "A fine line.\n" * 20 + "{{ 1 // 0 }}"
    line = file_line(spec(body), "1 // 0")
    assert refused(spec(body)).message == f"line {line}: integer division or modulo by zero"


def test_output_over_the_cap_is_refused_not_cut() -> None:
    body = "{% for i in range(3000) %}ten chars.{% endfor %}"
    assert "the limit is 20,000" in refused(spec(body)).message
    within = render_template(spec("{% for i in range(1000) %}ten chars.{% endfor %}"), context())
    assert len(within.body) == 10_000 <= MAX_OUTPUT


def test_everyday_templates_render_cleanly() -> None:
    body = (
        "Hi {{ lead.first_name }},\n"
        "\n"
        "{% if lead.company %}For {{ lead.company }}, {% endif %}"
        "shall we talk {{ dates.tomorrow }}?   \n"
        "\n"
        "\n"
        "\n"
        "{{ lead.tags|map('upper')|join(', ') }}\n"
        "{{ sender.name }}\n"
    )
    data = context(tags=["saas", "eu"])
    rendered = render_template(spec(body, subject="{{ lead.company }}:\n pilot"), data)
    assert rendered == RenderedDraft(
        subject="Acme: pilot",
        body="Hi Ana,\n\nFor Acme, shall we talk Tuesday 24 Nov?\n\nSAAS, EU\nSam",
        empty_values=(),
    )


def test_empty_merge_values_render_empty_and_are_recorded_where_they_sit() -> None:
    body = "Hi {{ lead.first_name }},\n\nHow is {{ lead.company }} doing?\n\n{{ sender.signature }}"
    rendered = render_template(spec(body), context(company=""))
    assert rendered.body == "Hi Ana,\n\nHow is  doing?"
    assert rendered.empty_values == (
        ("lead.company", rendered.body.index("  doing") + 1),
        ("sender.signature", len(rendered.body)),  # its blank lines went with it
    )
    # A fallback the author wrote is not an empty value: nothing is recorded.
    fallback = render_template(spec("For {{ lead.company or lead.name }}."), context(company=""))
    assert (fallback.body, fallback.empty_values) == ("For Ana Silva.", ())
    missing = render_template(spec("{% if lead.company is none %}none{% endif %}"), context())
    assert missing.body == ""


def test_markers_cannot_be_forged_from_lead_data() -> None:
    rendered = render_template(
        spec("{{ lead.company }}"), context(company="Ac\ue000\uf000\ue001me")
    )
    assert (rendered.body, rendered.empty_values) == ("Ac\uf000me", ())


def test_a_compiled_template_renders_fast() -> None:
    template = spec("Hi {{ lead.first_name }},\n\nShall we talk {{ dates.tomorrow }}?\n\nSam")
    render_template(template, context())
    start = time.perf_counter()
    for _ in range(100):
        render_template(template, context())
    assert (time.perf_counter() - start) / 100 < 0.005
