"""Rendering without the database: one render-then-lint, and no database layer loaded."""

from __future__ import annotations

import subprocess
import sys

from followthrough.domain.drafting import lint_draft
from followthrough.domain.templates import TemplateSpec
from followthrough.services.rendering import render_and_lint, render_template
from followthrough.services.templates import sample_context


def spec(body: str) -> TemplateSpec:
    return TemplateSpec(
        slug="test-template", title="Test", intent="advance", decision="next_step",
        rules=(), states=(), channel="email", subject="About {{ lead.company }}", body=body,
    )  # fmt: skip


def test_it_renders_and_lints_as_a_draft_is_read() -> None:
    template = spec("Hi {{ lead.first_name }},\n\nJust checking in{{ lead.recycle_reason }}.")
    context = sample_context(template)

    rendered, findings = render_and_lint(template, context)

    assert rendered == render_template(template, context)
    expected = lint_draft(
        rendered.subject,
        rendered.body,
        intent="advance",
        channel="email",
        empty_values=rendered.empty_values,
    )
    assert findings == tuple(expected)
    assert "empty_value" in {f.code for f in findings}  # the rendering's own finding is kept


def test_it_loads_without_the_database_or_the_drafting_use_cases() -> None:
    probe = (
        "import sys, followthrough.services.rendering; "
        "print([m for m in ('sqlalchemy', 'sqlmodel', 'followthrough.store.db', "
        "'followthrough.services.drafting', 'followthrough.services.templates') "
        "if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_template_library_does_not_reach_back_into_drafting() -> None:
    # services.drafting reads the library; checking or sampling a template must not load it.
    probe = (
        "import sys, followthrough.services.templates as t; "
        "spec = t.builtin_templates()[0]; t.check_template(spec); t.sample_context(spec); "
        "print('followthrough.services.drafting' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
