"""The sample pipeline: a made-up set of leads to explore the app with, and taking it away again.

The leads are added through the same services a user's leads go through, so their timelines,
counters and plans are real and the engine raises real alerts on them. Every time in the
sample file is relative to the moment of loading, so the sample looks recent whenever it is
loaded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.domain.when import DAY_START, localize
from followthrough.errors import InvalidData, StorageError
from followthrough.services import leads
from followthrough.services.clock import utcnow
from followthrough.services.one_transaction import OneTransaction
from followthrough.shipped import resource_path
from followthrough.store.db import Database
from followthrough.store.models import Lead, Setting
from followthrough.store.setting_keys import SAMPLE_KEY

_OFFSETS = {
    "days_ago": timedelta(days=-1),
    "hours_ago": timedelta(hours=-1),
    "in_days": timedelta(days=1),
    "in_hours": timedelta(hours=1),
}


def read_sample() -> list[dict[str, Any]]:
    """The leads described in the shipped sample file."""
    path = resource_path("sample", "pipeline.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = data["leads"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StorageError(
            f"the sample pipeline shipped with the app cannot be read: {exc}"
        ) from None
    if not isinstance(found, list):
        raise StorageError("the sample pipeline shipped with the app has no list of leads")
    return found


def _moment(spec: Mapping[str, Any], base: datetime) -> datetime:
    """`{"days_ago": 3.5}` (or hours_ago, in_days, in_hours) as a moment relative to `base`."""
    for key, unit in _OFFSETS.items():
        if key in spec:
            moment = base + unit * float(spec[key])
            if key == "in_days":
                # A day ahead reads as that day's morning, the way a person would set it.
                return localize(moment.astimezone().date(), DAY_START, None).astimezone(UTC)
            return moment
    raise StorageError(f"the sample pipeline has a time without an offset: {dict(spec)}")


def _add_one(db: Database, spec: Mapping[str, Any], base: datetime) -> int:
    added = _moment(spec["added"], base)
    due = spec.get("next_step_due")
    new = NewLead.create(
        name=spec["name"],
        now=added,
        company=spec.get("company"),
        email=spec.get("email"),
        phone=spec.get("phone"),
        state=State(spec.get("state", "hot")),
        next_step=spec.get("next_step"),
        next_step_due=_moment(due, base) if due else None,
        tags=spec.get("tags", ()),
    )
    lead_id = leads.add_lead(db, new, now=base, at=added).id
    for step in spec.get("history", ()):
        at = _moment(step, base)
        if "move" in step:
            until = step.get("until")
            leads.move_lead(
                db,
                lead_id,
                State(step["move"]),
                until=_moment(until, base) if until else None,
                reason=step.get("reason"),
                at=at,
                now=base,
            )
        else:
            leads.log_event(
                db, lead_id, SignalKind(step["log"]), at=at, note=step.get("note"), now=base
            )
    return lead_id


def load_sample(db: Database, now: datetime | None = None) -> int:
    """Add the sample pipeline as if it had been worked on until `now`; return how many leads.

    Refused if a sample is already there: a second copy would only collide with the first.
    """
    # Whole minutes: due times read "10:00" rather than "10:07:31".
    base = (now or utcnow()).replace(second=0, microsecond=0)
    specs = read_sample()
    with db.write() as session:
        if session.get(Setting, SAMPLE_KEY) is not None:
            raise InvalidData("the sample pipeline is already loaded", "sample")
        joined = OneTransaction(db, session)
        ids = [_add_one(joined, spec, base) for spec in specs]
        created = session.exec(select(Lead.id, Lead.created_at).where(col(Lead.id).in_(ids)))
        session.add(
            Setting(
                key=SAMPLE_KEY,
                value={
                    "loaded_at": base.isoformat(),
                    "leads": [{"id": i, "created_at": at.isoformat()} for i, at in created],
                },
                updated_at=base,
            )
        )
        return len(ids)


def _recorded(session: Session) -> dict[int, str] | None:
    """The sample leads as recorded at loading: id → when the lead was added."""
    row = session.get(Setting, SAMPLE_KEY)
    if row is None:
        return None
    entries = row.value.get("leads", []) if isinstance(row.value, dict) else []
    return {int(e["id"]): str(e["created_at"]) for e in entries if isinstance(e, dict)}


def clear_sample(db: Database) -> int:
    """Delete the sample leads still there, and forget the sample; return how many went."""
    return len(remove_sample_leads(db))


def remove_sample_leads(db: Database) -> tuple[int, ...]:
    """Delete the sample leads still there, and forget the sample; the ids that went.

    A lead counts as a sample lead only if both its id and the moment it was added match
    what was recorded: SQLite may hand a deleted sample lead's id to a lead the user adds
    later, and that lead must stay.
    """
    with db.write() as session:
        recorded = _recorded(session)
        if recorded is None:
            return ()
        present = session.exec(
            select(Lead.id, Lead.created_at).where(col(Lead.id).in_(list(recorded)))
        ).all()
        doomed = [i for i, at in present if i is not None and recorded[i] == at.isoformat()]
        if doomed:
            # Events and alerts go with their lead (ON DELETE CASCADE).
            session.execute(delete(Lead).where(col(Lead.id).in_(doomed)))
        session.execute(delete(Setting).where(col(Setting.key) == SAMPLE_KEY))
        return tuple(doomed)


def sample_loaded(db: Database) -> bool:
    with db.read() as session:
        return sample_loaded_in(session)


def sample_loaded_in(session: Session) -> bool:
    """Is the sample pipeline there (read in the caller's transaction)?"""
    return session.get(Setting, SAMPLE_KEY) is not None


def board_is_empty(db: Database) -> bool:
    """No lead at all, in any state: the first-run explanation replaces the board."""
    with db.read() as session:
        return session.exec(select(Lead.id).limit(1)).first() is None
