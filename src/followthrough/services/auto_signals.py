"""Whether a lead takes signals the app finds by itself (mailbox, calendar, mail rules): the
read behind the lead panel's switch; services/matching.set_auto_signals writes it."""

from __future__ import annotations

from sqlalchemy import select

from followthrough.errors import NotFound
from followthrough.store.db import Database
from followthrough.store.tables import LEAD


def takes_auto_signals(db: Database, lead_id: int) -> bool:
    with db.read() as session:
        on = (
            session.connection()
            .execute(select(LEAD.c.auto_signals).where(LEAD.c.id == lead_id))
            .scalar_one_or_none()
        )
    if on is None:
        raise NotFound(f"no lead with id {lead_id}")
    return bool(on)
