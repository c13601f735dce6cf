"""Histories the outcome reports are tested on, built through the real services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services import drafting, leads
from followthrough.store.db import Database
from followthrough.store.models import Template

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def add(db: Database, name: str, at: datetime, state: State = State.HOT) -> int:
    new = NewLead.create(name=name, now=at, state=state, next_step="Pilot call")
    return leads.add_lead(db, new, at, at=at).id


def log(db: Database, lead_id: int, kind: SignalKind, at: datetime) -> None:
    leads.log_event(db, lead_id, kind, at=at, now=at)


def send(
    db: Database, lead_id: int, at: datetime, template: str | None, alert_id: int | None = None
) -> None:
    drafting.mark_sent(
        db, lead_id, subject="Next step", body="Thursday at 10?", template=template,
        alert_id=alert_id, next_step=None, next_step_due=None, now=at,
    )  # fmt: skip


def own_template(
    db: Database, slug: str, title: str, intent: str = "clarify", states: tuple[str, ...] = ()
) -> None:
    """A template of the person's own, as a row (saving one checks it against a real clock)."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with db.write() as session:
        session.add(
            Template(
                slug=slug, title=title, intent=intent, decision="risk", states=list(states),
                triggers=[], channel="email", subject="About {{ lead.company }}",
                body="Hi {{ lead.first_name }},\n\nOne question: is timing the issue?",
                builtin=False, created_at=moment, updated_at=moment,
            )
        )  # fmt: skip
