"""The template library: the built-ins shipped with the app and the user's own, kept in the DB.

Built-ins are read-only files in resources/templates; to change one the user duplicates it and
edits the copy. The user's templates live in the `template` table, so they travel with backups.
Every template saved is checked twice: its file text must parse, and it must render against a
sample lead, so a broken template is refused when it is written rather than when it is needed.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from followthrough.domain.alerts import RULE_KINDS, AlertRule, AlertStatus, Intent
from followthrough.domain.preferences import Preferences
from followthrough.domain.states import State
from followthrough.domain.templates import (
    MAX_SLUG,
    TemplateSpec,
    format_template,
    parse_template,
)
from followthrough.errors import InvalidData, NotFound
from followthrough.services.clock import utcnow
from followthrough.services.readmodels import AlertView, LeadView
from followthrough.services.rendering import draft_context, render_template
from followthrough.shipped import resource_path
from followthrough.store.db import Database
from followthrough.store.models import Template

log = logging.getLogger(__name__)

SUFFIX = ".tmpl"
MAX_FILE = 100_000  # bytes: a template is a short message, far below this


# --- reading ------------------------------------------------------------------------------


def list_templates(db: Database) -> list[TemplateSpec]:
    """Built-ins first, then the user's own, each group by slug."""
    builtins = builtin_templates()
    taken = {spec.slug for spec in builtins}
    with db.read() as session:
        rows = session.exec(select(Template).order_by(Template.slug)).all()
        own = [_spec(row) for row in rows if row.slug not in taken]
    return [*builtins, *own]


def get_template(db: Database, slug: str) -> TemplateSpec:
    for spec in builtin_templates():
        if spec.slug == slug:
            return spec
    with db.read() as session:
        row = _row(session, slug)
        if row is None:
            raise NotFound(f"no template named '{slug}'")
        return _spec(row)


def builtin_templates(folder: Path | None = None) -> tuple[TemplateSpec, ...]:
    """The shipped templates, by slug. A file that does not parse is left out and logged."""
    folder = folder or resource_path("templates")
    try:
        files = sorted(folder.glob(f"*{SUFFIX}"))
        # Keyed on the files' stamps: read once per run, again only if a file changes.
        stamps = tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files)
    except OSError as error:
        log.warning("cannot read the built-in templates in %s: %s", folder, error)
        return ()
    return _read_builtins(stamps)


@functools.lru_cache(maxsize=4)
def _read_builtins(stamps: tuple[tuple[str, int, int], ...]) -> tuple[TemplateSpec, ...]:
    specs: dict[str, TemplateSpec] = {}
    for name, _, _ in stamps:
        path = Path(name)
        try:
            spec = parse_template(path.read_text(encoding="utf-8"), builtin=True)
        except (OSError, UnicodeDecodeError, InvalidData) as error:
            log.warning("built-in template %s left out: %s", path.name, error)
            continue
        if spec.slug in specs:
            log.warning("built-in template %s left out: slug '%s' used twice", path.name, spec.slug)
            continue
        specs[spec.slug] = spec
    return tuple(specs[slug] for slug in sorted(specs))


# --- changing -----------------------------------------------------------------------------


def duplicate_template(db: Database, slug: str) -> TemplateSpec:
    """A user copy of any template, as "<slug>-copy" (or "-copy-2"...), ready to edit."""
    source = get_template(db, slug)
    with db.write() as session:
        copy = dataclasses.replace(
            source,
            slug=_free_slug(session, f"{source.slug}-copy"),
            title=f"{source.title} (copy)",
            builtin=False,
        )
        _insert(session, copy, utcnow())
    return copy


def save_template(
    db: Database, spec: TemplateSpec, original_slug: str | None = None
) -> TemplateSpec:
    """Create a user template, or update the one called `original_slug` (renaming it if asked).

    Returns the template as stored (blank lines around the body trimmed).
    """
    for slug in (spec.slug, original_slug):
        if slug is not None and _is_builtin(slug):
            raise InvalidData(
                f"'{slug}' is a built-in template: duplicate it to make your own version", "slug"
            )
    checked = check_template(spec)
    now = utcnow()
    with db.write() as session:
        existing = _row(session, checked.slug)
        if original_slug is None or original_slug == checked.slug:
            if original_slug is None and existing is not None:
                raise InvalidData(f"a template named '{checked.slug}' already exists", "slug")
            target = existing
        else:
            if existing is not None:
                raise InvalidData(f"a template named '{checked.slug}' already exists", "slug")
            target = _row(session, original_slug)
            if target is None:
                raise NotFound(f"no template named '{original_slug}'")
        if target is None:
            _insert(session, checked, now)
        else:
            _fill(target, checked)
            target.updated_at = now
    return checked


def delete_template(db: Database, slug: str) -> None:
    if _is_builtin(slug):
        raise InvalidData(f"'{slug}' is a built-in template and cannot be deleted", "slug")
    with db.write() as session:
        row = _row(session, slug)
        if row is None:
            raise NotFound(f"no template named '{slug}'")
        session.delete(row)


def check_template(spec: TemplateSpec) -> TemplateSpec:
    """The template as it would be stored, or InvalidData naming what is wrong and where."""
    for field, value in (("title", spec.title), ("subject", spec.subject)):
        if "\n" in value or "\r" in value:
            raise InvalidData(f"the {field} must fit on one line", field)
    checked = parse_template(format_template(spec))
    render_template(checked, sample_context(checked))
    return checked


# --- files --------------------------------------------------------------------------------


def import_template_file(db: Database, path: Path) -> TemplateSpec:
    """Add the template in a file as a user template; a taken slug gets "-2", "-3"..."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise InvalidData(f"{path.name} is too large for a template file", "file")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidData(f"{path.name} is not UTF-8 text", "file") from None
    except OSError as error:
        raise InvalidData(f"cannot read {path.name}: {error.strerror}", "file") from None
    try:
        spec = parse_template(text)
    except InvalidData as error:
        raise InvalidData(f"{path.name}, {error.message}", error.field) from None
    with db.read() as session:
        free = _free_slug(session, spec.slug)
    return save_template(db, dataclasses.replace(spec, slug=free))


def export_template_file(db: Database, slug: str, path: Path) -> Path:
    """Write a template's file text to `path` (or `<path>/<slug>.tmpl` for a folder), mode 0600."""
    spec = get_template(db, slug)
    target = path / f"{spec.slug}{SUFFIX}" if path.is_dir() else path
    try:
        # A temporary file beside the target (created 0600), then renamed over it: a reader
        # never sees half a file, and an existing file's looser mode is not kept.
        handle, temp = tempfile.mkstemp(prefix=".export-", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(format_template(spec))
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except OSError as error:
        raise InvalidData(f"cannot write {target}: {error.strerror}", "file") from None
    return target


# --- a sample to test-render against ------------------------------------------------------

_SAMPLE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sample_context(spec: TemplateSpec, now: datetime | None = None) -> dict[str, Any]:
    """A filled-in lead and alert that suit `spec`, for checking and previewing it."""
    now = now or _SAMPLE_TIME
    state = State(spec.states[0]) if spec.states else State.WARM
    lead = LeadView(
        id=0,
        name="Anna Keller",
        company="Keller Logistics",
        email="anna@example.com",
        phone=None,
        title="Operations lead",
        state=state,
        state_since=now,
        decision="next_step",
        next_step="Review the draft plan",
        next_step_due=now,
        recycle_until=now if state is State.RECYCLE else None,
        recycle_reason="budget freeze" if state is State.RECYCLE else None,
        last_outbound_at=now,
        last_inbound_at=None,
        unanswered=1,
        tags=("sample",),
        next_check_at=None,
        created_at=now,
        updated_at=now,
    )
    rule = AlertRule(spec.rules[0]) if spec.rules else AlertRule.SILENCE
    alert = AlertView(
        id=0,
        lead_id=0,
        lead_name=lead.name,
        rule=rule,
        kind=RULE_KINDS[rule],
        reason="A sample reason for this alert.",
        intent=Intent(spec.intent),
        status=AlertStatus.OPEN,
        raised_at=now,
        due_at=now,
        snoozed_until=None,
        resolved_at=None,
        outcome=None,
    )
    prefs = Preferences(sender_name="Sam Fischer", signature="")
    return draft_context(lead, alert, prefs, now)


# --- rows ---------------------------------------------------------------------------------


def _is_builtin(slug: str) -> bool:
    return any(spec.slug == slug for spec in builtin_templates())


def _row(session: Session, slug: str) -> Template | None:
    return session.exec(select(Template).where(Template.slug == slug)).first()


def _free_slug(session: Session, base: str) -> str:
    """`base` if no template uses it, else base-2, base-3... (kept short enough to be valid)."""
    base = base[: MAX_SLUG - 4].rstrip("-")
    taken = {spec.slug for spec in builtin_templates()}
    taken |= set(session.exec(select(Template.slug)).all())
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _spec(row: Template) -> TemplateSpec:
    return TemplateSpec(
        slug=row.slug,
        title=row.title,
        intent=row.intent,
        decision=row.decision or "next_step",
        rules=tuple(row.triggers),
        states=tuple(row.states),
        channel=row.channel,
        subject=row.subject,
        body=row.body,
        builtin=False,
    )


def _insert(session: Session, spec: TemplateSpec, now: datetime) -> None:
    row = Template(slug=spec.slug, title=spec.title, intent=spec.intent, body=spec.body)
    _fill(row, spec)
    row.created_at = row.updated_at = now
    session.add(row)


def _fill(row: Template, spec: TemplateSpec) -> None:
    row.slug, row.title, row.intent, row.decision = (
        spec.slug,
        spec.title,
        spec.intent,
        spec.decision,
    )
    row.states, row.triggers = list(spec.states), list(spec.rules)
    row.channel, row.subject, row.body, row.builtin = spec.channel, spec.subject, spec.body, False
