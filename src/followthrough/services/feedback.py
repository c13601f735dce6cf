"""The feedback facts a person may correct after the moment: a move's reason category.

The category is picked when a lead goes to Lost or Recycle (services/leads.move_lead keeps a
sensible default); this is the "changeable later" half: it rewrites the category of the lead's
latest such move, the one the stall audit counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from followthrough.domain.reasons import ASKS_REASON, ReasonCategory
from followthrough.domain.signals import EventKind
from followthrough.domain.states import State
from followthrough.errors import InvalidData, NotFound
from followthrough.services.clock import utcnow
from followthrough.store.db import Database
from followthrough.store.models import Event, Lead


def _latest_move(session: Session, lead_id: int) -> tuple[Lead, Event | None]:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead with id {lead_id}")
    move = session.exec(
        select(Event)
        .where(Event.lead_id == lead_id, Event.kind == EventKind.STATE_CHANGE)
        .order_by(col(Event.at).desc(), col(Event.id).desc())
        .limit(1)
    ).first()
    return lead, move


def reason_category(db: Database, lead_id: int) -> ReasonCategory | None:
    """The category of the move that put the lead in Lost or Recycle; None elsewhere."""
    with db.read() as session:
        lead, move = _latest_move(session, lead_id)
        if State(lead.state) not in ASKS_REASON or move is None:
            return None
        stored = move.payload.get("category")
        known = {member.value for member in ReasonCategory}
        return ReasonCategory(stored) if isinstance(stored, str) and stored in known else None


def set_reason_category(
    db: Database, lead_id: int, category: ReasonCategory, now: datetime | None = None
) -> ReasonCategory:
    """Correct why a lost or parked lead left the running."""
    now = now or utcnow()
    with db.write() as session:
        lead, move = _latest_move(session, lead_id)
        if State(lead.state) not in ASKS_REASON or move is None:
            raise InvalidData(
                f"{lead.name} is {State(lead.state).label}: a reason category belongs to a lead "
                "that is Lost or parked in Recycle",
                "category",
            )
        # A new dict: the JSON column notices a replaced value, not one changed in place.
        move.payload = {**move.payload, "category": category.value}
        lead.updated_at = now
        return category
