"""The sample pipeline: a made-up set of leads to explore the app with, and taking it away again.

The leads are added through the same services a user's leads go through, with a few months
of history replayed in time order (sample_history), so their timelines, counters, plans and
alerts are real, and the Insights reports have something to show on the first run. Every time
in the sample file is relative to the moment of loading, so the sample looks recent whenever
it is loaded.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from followthrough.errors import InvalidData, StorageError
from followthrough.services import alerts, sample_history
from followthrough.services.clock import utcnow
from followthrough.services.one_transaction import OneTransaction
from followthrough.shipped import resource_path
from followthrough.store.db import Database
from followthrough.store.models import Lead, Setting
from followthrough.store.setting_keys import SAMPLE_KEY


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


def read_stories() -> dict[str, Any]:
    """The stories several sample leads share (see sample_history), by name."""
    path = resource_path("sample", "pipeline.json")
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("stories", {})
    except (OSError, ValueError, AttributeError) as exc:
        raise StorageError(
            f"the sample pipeline shipped with the app cannot be read: {exc}"
        ) from None
    if not isinstance(found, dict):
        raise StorageError("the sample pipeline shipped with the app has no table of stories")
    return found


def load_sample(db: Database, now: datetime | None = None) -> int:
    """Add the sample pipeline as if it had been worked on until `now`; return how many leads.

    Its months of history are replayed in time order (sample_history), the engine ticking
    each morning, and once more at `now`: the alerts open on the sample are there at once.
    Refused if a sample is already there: a second copy would only collide with the first.
    """
    # Whole minutes: due times read "10:00" rather than "10:07:31".
    base = (now or utcnow()).replace(second=0, microsecond=0)
    specs, stories = read_sample(), read_stories()
    try:
        steps = sorted(
            step
            for index, spec in enumerate(specs)
            for step in sample_history.lead_steps(index, spec, stories, base)
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StorageError(
            f"the sample pipeline shipped with the app is malformed: {exc}"
        ) from None
    with db.write() as session:
        if session.get(Setting, SAMPLE_KEY) is not None:
            raise InvalidData("the sample pipeline is already loaded", "sample")
        replay = sample_history.Replay(OneTransaction(db, session), base)
        replay.mornings = sample_history.mornings(steps[0].at, base) if steps else []
        for step in steps:
            sample_history.run(replay, step)
        replay.tick_until(base)
        alerts.tick(replay.db, base)
        ids = list(replay.ids.values())
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
