"""Templates the person retired: kept and editable, no longer offered when drafting.

A retired template is one the figures showed rarely gets an answer (an Insights suggestion
retires it, undoably). It is left out of the templates that fit an alert unless nothing else
fits, can still be picked by name, and comes back with `bring_back_template`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from followthrough.domain.templates import TemplateSpec
from followthrough.services.clock import utcnow
from followthrough.services.setting_rows import put_setting
from followthrough.services.templates import get_template, list_templates
from followthrough.store.db import Database
from followthrough.store.tables import SETTING

RETIRED_KEY = "retired_templates"  # setting row: a JSON list of slugs


def load_retired(session: Session) -> frozenset[str]:
    value = (
        session.connection()
        .execute(select(SETTING.c.value).where(SETTING.c.key == RETIRED_KEY))
        .scalar()
    )
    if not isinstance(value, list):
        return frozenset()
    return frozenset(v for v in value if isinstance(v, str))


def get_retired(db: Database) -> frozenset[str]:
    with db.read() as session:
        return load_retired(session)


def write_retired(session: Session, slugs: frozenset[str], now: datetime) -> None:
    put_setting(session, RETIRED_KEY, sorted(slugs), now)


def retired_templates(db: Database) -> list[TemplateSpec]:
    """The retired templates that still exist, in the templates' order."""
    retired = get_retired(db)
    return [spec for spec in list_templates(db) if spec.slug in retired]


def retire_template(db: Database, slug: str, now: datetime | None = None) -> frozenset[str]:
    get_template(db, slug)  # NotFound for a name that is no template
    with db.write() as session:
        retired = load_retired(session) | {slug}
        write_retired(session, retired, now or utcnow())
        return retired


def bring_back_template(db: Database, slug: str, now: datetime | None = None) -> frozenset[str]:
    get_template(db, slug)
    with db.write() as session:
        retired = load_retired(session) - {slug}
        write_retired(session, retired, now or utcnow())
        return retired
