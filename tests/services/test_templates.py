"""The template library: the shipped starters and the user's own templates, kept in the DB."""

from __future__ import annotations

import dataclasses
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from followthrough.domain.templates import RULES, TemplateSpec, format_template, parse_template
from followthrough.errors import InvalidData, NotFound
from followthrough.services.rendering import TemplateProblem, render_and_lint, render_template
from followthrough.services.templates import (
    builtin_templates,
    delete_template,
    duplicate_template,
    export_template_file,
    get_template,
    import_template_file,
    list_templates,
    sample_context,
    save_template,
)
from followthrough.shipped import resource_path
from followthrough.store.db import Database
from tests.conftest import NOW

SHIPPED = sorted(resource_path("templates").glob("*.tmpl"))


# --- the starter templates ------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_template_file_parses_and_is_named_after_its_slug(path: Path) -> None:
    spec = parse_template(path.read_text(encoding="utf-8"), builtin=True)
    assert path.name == f"{spec.slug}.tmpl"


def test_there_are_enough_starters_all_listed_with_unique_slugs() -> None:
    slugs = [spec.slug for spec in builtin_templates()]
    assert len(SHIPPED) >= 17
    assert len(slugs) == len(set(slugs)) == len(SHIPPED)


def test_every_rule_the_engine_raises_has_a_starter_template() -> None:
    covered = {rule for spec in builtin_templates() for rule in spec.rules}
    assert covered >= set(RULES)


def test_a_call_recap_template_fits_any_alert() -> None:
    recaps = [s for s in builtin_templates() if not s.rules and s.intent == "advance"]
    assert recaps, "a template that fixes the next step after a call"


@pytest.mark.parametrize(
    ("rule", "state"), [("silence", "hot"), ("silence", "warm"), ("guard", "hot"), ("reactivate", "recycle")]
)  # fmt: skip
def test_the_commonest_situations_have_a_linkedin_variant(rule: str, state: str) -> None:
    assert any(
        s.channel == "linkedin" and rule in s.rules and state in s.states
        for s in builtin_templates()
    )


def _lint(spec: TemplateSpec, context: dict[str, object]) -> list[str]:
    draft, findings = render_and_lint(spec, context)
    return [f"{f.code}: {(draft.subject if f.field == 'subject' else draft.body)[f.start : f.end]}"
            for f in findings]  # fmt: skip


@pytest.mark.parametrize("spec", builtin_templates(), ids=lambda s: s.slug)
@pytest.mark.parametrize("days", range(7))
def test_every_starter_renders_and_passes_its_own_lint_on_any_weekday(
    spec: TemplateSpec, days: int
) -> None:
    assert _lint(spec, sample_context(spec, NOW + timedelta(days=days))) == []


@pytest.mark.parametrize("spec", builtin_templates(), ids=lambda s: s.slug)
def test_a_lead_without_company_still_gets_a_clean_draft(spec: TemplateSpec) -> None:
    context = sample_context(spec, NOW)
    context["lead"] = {**context["lead"], "company": "", "email": "", "title": ""}
    context["sender"] = {"name": "Sam Fischer", "signature": "Sam Fischer\nFischer Studio"}
    assert _lint(spec, context) == []


@pytest.mark.parametrize("spec", builtin_templates(), ids=lambda s: s.slug)
def test_without_a_sender_name_the_sign_off_is_left_to_the_mail_app(spec: TemplateSpec) -> None:
    context = sample_context(spec, NOW)
    context["sender"] = {"name": "", "signature": ""}
    assert _lint(spec, context) == []
    assert render_template(spec, context).body.splitlines()[-1].strip()  # no dangling blank


def test_a_broken_file_among_the_built_ins_is_left_out_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "good.tmpl").write_text(SHIPPED[0].read_text(encoding="utf-8"), "utf-8")
    (tmp_path / "broken.tmpl").write_text("slug: broken\nintent: push\n---\nhi\n", "utf-8")
    (tmp_path / "binary.tmpl").write_bytes(b"\xff\xfe\x00")
    assert [s.slug for s in builtin_templates(tmp_path)] == [SHIPPED[0].stem]


# --- the library ----------------------------------------------------------------------------


def _first_builtin() -> TemplateSpec:
    return builtin_templates()[0]


def test_the_list_holds_the_built_ins_then_the_users_own(db: Database) -> None:
    builtins = list_templates(db)
    assert builtins
    assert all(s.builtin for s in builtins)
    copy = duplicate_template(db, builtins[0].slug)
    listed = list_templates(db)
    assert listed == [*builtins, copy]
    assert get_template(db, copy.slug) == copy


def test_duplicating_makes_an_editable_copy_with_a_free_name(db: Database) -> None:
    source = _first_builtin()
    first = duplicate_template(db, source.slug)
    second = duplicate_template(db, source.slug)
    assert (first.slug, second.slug) == (f"{source.slug}-copy", f"{source.slug}-copy-2")
    assert first.title == f"{source.title} (copy)"
    assert not first.builtin
    assert (first.body, first.subject, first.rules) == (source.body, source.subject, source.rules)


def test_an_edited_copy_is_saved_renamed_and_deleted(db: Database) -> None:
    copy = duplicate_template(db, _first_builtin().slug)
    edited = dataclasses.replace(
        copy, slug="my-version", title="Mine", body="\n\nHi {{ lead.first_name }},\nThursday?\n\n"
    )
    saved = save_template(db, edited, original_slug=copy.slug)
    assert saved.body == "Hi {{ lead.first_name }},\nThursday?"  # blank lines around trimmed
    assert get_template(db, "my-version") == saved
    with pytest.raises(NotFound):
        get_template(db, copy.slug)
    assert (
        save_template(db, dataclasses.replace(saved, title="Mine, again"), "my-version").title
        == "Mine, again"
    )

    delete_template(db, "my-version")
    with pytest.raises(NotFound):
        get_template(db, "my-version")
    assert all(s.builtin for s in list_templates(db))


def test_a_new_template_cannot_take_a_name_in_use(db: Database) -> None:
    copy = duplicate_template(db, _first_builtin().slug)
    with pytest.raises(InvalidData, match="already exists") as caught:
        save_template(db, copy)
    assert caught.value.field == "slug"
    other = duplicate_template(db, _first_builtin().slug)
    with pytest.raises(InvalidData, match="already exists"):
        save_template(db, dataclasses.replace(other, slug=copy.slug), original_slug=other.slug)


def test_built_ins_are_read_only(db: Database) -> None:
    builtin = _first_builtin()
    with pytest.raises(InvalidData, match="built-in"):
        save_template(db, dataclasses.replace(builtin, title="Changed"), original_slug=builtin.slug)
    with pytest.raises(InvalidData, match="built-in"):
        save_template(db, dataclasses.replace(builtin, builtin=False))
    with pytest.raises(InvalidData, match="built-in"):
        delete_template(db, builtin.slug)
    assert get_template(db, builtin.slug) == builtin


def test_a_template_that_cannot_render_is_refused_naming_the_line(db: Database) -> None:
    copy = duplicate_template(db, _first_builtin().slug)
    broken = dataclasses.replace(copy, body="Hi {{ lead.first_name }},\n\nDear {{ lead.nmae }}")
    with pytest.raises(TemplateProblem) as caught:
        save_template(db, broken, copy.slug)
    text = format_template(broken).splitlines()
    line = caught.value.line
    assert line is not None
    assert "lead.nmae" in text[line - 1]
    assert f"line {line}:" in caught.value.message
    assert "nmae" in caught.value.message
    assert get_template(db, copy.slug) == copy  # nothing half-saved


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"intent": "push"}, "unknown intent 'push'"),
        ({"slug": "Not A Slug"}, "the slug"),
        ({"title": "two\nlines"}, "the title must fit on one line"),
        ({"subject": ""}, "the subject is empty"),
        ({"body": "  "}, "the message body is empty"),
    ],
)
def test_bad_values_are_refused_before_anything_is_stored(
    db: Database, change: dict[str, str], message: str
) -> None:
    copy = duplicate_template(db, _first_builtin().slug)
    with pytest.raises(InvalidData, match=message):
        save_template(db, dataclasses.replace(copy, **change), copy.slug)  # type: ignore[arg-type]
    assert get_template(db, copy.slug) == copy


def test_export_then_import_gives_the_same_template_under_a_free_name(
    db: Database, tmp_path: Path
) -> None:
    builtin = _first_builtin()
    written = export_template_file(db, builtin.slug, tmp_path)
    assert written == tmp_path / f"{builtin.slug}.tmpl"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert parse_template(written.read_text(encoding="utf-8"), builtin=True) == builtin

    imported = import_template_file(db, written)  # the built-in keeps its name
    assert imported == dataclasses.replace(builtin, slug=f"{builtin.slug}-2", builtin=False)
    assert imported in list_templates(db)


def test_export_overwrites_a_file_and_makes_it_private(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "mine.tmpl"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    export_template_file(db, _first_builtin().slug, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == format_template(_first_builtin())


def test_importing_a_broken_file_names_the_file_and_the_line(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "mine.tmpl"
    path.write_text("slug: mine\ntitle: Mine\nintent: push\n---\nhi\n", encoding="utf-8")
    with pytest.raises(InvalidData, match=r"^mine\.tmpl, line 3: unknown intent 'push'"):
        import_template_file(db, path)
    with pytest.raises(InvalidData, match="cannot read"):
        import_template_file(db, tmp_path / "missing.tmpl")
    assert all(s.builtin for s in list_templates(db))


def test_unknown_slugs_are_reported(db: Database, tmp_path: Path) -> None:
    for call in (
        lambda: get_template(db, "nope"),
        lambda: duplicate_template(db, "nope"),
        lambda: delete_template(db, "nope"),
        lambda: export_template_file(db, "nope", tmp_path),
    ):
        with pytest.raises(NotFound, match="no template named 'nope'"):
            call()


def test_user_templates_are_stamped_in_utc(db: Database) -> None:
    from sqlmodel import select

    from followthrough.store.models import Template

    copy = duplicate_template(db, _first_builtin().slug)
    with db.read() as session:
        row = session.exec(select(Template).where(Template.slug == copy.slug)).one()
    assert isinstance(row.created_at, datetime)
    assert row.created_at.utcoffset() == timedelta(0)


def test_copies_of_a_long_named_template_keep_a_valid_name(db: Database) -> None:
    copy = duplicate_template(db, _first_builtin().slug)
    long_one = save_template(db, dataclasses.replace(copy, slug="a" * 60))
    copies = [duplicate_template(db, long_one.slug) for _ in range(3)]
    for made in copies:
        assert save_template(db, made, made.slug) == made  # still a name the file format accepts
    assert len({made.slug for made in copies}) == 3
