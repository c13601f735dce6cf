"""Changing leads: add, edit, move, log, next step, delete. One transaction per function."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from followthrough.domain.leadfields import email_key, search_key
from followthrough.domain.leads import (
    LeadEdit,
    NewLead,
    check_event_time,
    check_next_step,
    check_recycle,
)
from followthrough.domain.reasons import ASKS_REASON, ReasonCategory, default_reason
from followthrough.domain.signals import (
    SIGNAL_TRAITS,
    Channel,
    Direction,
    EventKind,
    SignalKind,
    is_answer,
    is_engagement,
)
from followthrough.domain.states import State
from followthrough.errors import FieldError, InvalidData, NotFound
from followthrough.services.alerts import record_engagement
from followthrough.services.clock import utcnow
from followthrough.services.planning import replan
from followthrough.services.policy import load_policy
from followthrough.services.readmodels import EventView, LeadView
from followthrough.services.touch_facts import recount_timelines
from followthrough.store.db import Database
from followthrough.store.models import Event, Lead


def _load(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead with id {lead_id}")
    return lead


def _refuse_duplicate_email(session: Session, email: str | None, lead_id: int | None) -> None:
    key = email_key(email)
    if key is None:
        return
    other = session.exec(select(Lead).where(Lead.email_key == key)).first()
    if other is not None and other.id != lead_id:
        raise InvalidData(
            f"{LeadView.of(other).label} already has the e-mail {other.email}", "email"
        )


def _flush_unique(session: Session, email: str | None) -> None:
    # Another process may have added the same e-mail between our check and our write.
    try:
        session.flush()
    except IntegrityError:
        raise InvalidData(f"another lead already has the e-mail {email}", "email") from None


def _refresh_keys(lead: Lead) -> None:
    lead.email_key = email_key(lead.email)
    lead.search_key = search_key(lead.name, lead.company, lead.email, lead.tags)


def _record(
    session: Session,
    lead: Lead,
    kind: str,
    at: datetime,
    now: datetime,
    direction: Direction = Direction.NONE,
    channel: str | None = None,
    text: str | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    assert lead.id is not None
    event = Event(
        lead_id=lead.id,
        at=at,
        kind=kind,
        direction=direction,
        channel=channel,
        text=text,
        payload=payload or {},
        created_at=now,
    )
    session.add(event)
    return event


def _recount_touches(session: Session, lead: Lead) -> None:
    """The lead's touch counters and each touch's kept facts, from one read of its timeline."""
    assert lead.id is not None
    session.flush()  # read with plain statements: what the session holds must be written
    summary = recount_timelines(session.connection(), [lead.id], {lead.id: lead.state})[lead.id]
    lead.last_outbound_at = summary.last_outbound_at
    lead.last_inbound_at = summary.last_inbound_at
    lead.unanswered = summary.unanswered


def add_lead(
    db: Database, new: NewLead, now: datetime | None = None, at: datetime | None = None
) -> LeadView:
    """Add a lead; `at` back-dates its arrival (replaying a history), default now."""
    now = now or utcnow()
    at = at or now
    check_event_time(at, now)
    with db.write() as session:
        _refuse_duplicate_email(session, new.email, None)
        lead = Lead(
            name=new.name,
            company=new.company,
            email=new.email,
            phone=new.phone,
            tags=list(new.tags),
            state=new.state,
            state_since=at,
            next_step=new.next_step,
            next_step_due=new.next_step_due,
            recycle_until=new.recycle_until,
            recycle_reason=new.recycle_reason,
            unanswered=0,
            created_at=at,
            updated_at=now,
        )
        _refresh_keys(lead)
        session.add(lead)
        _flush_unique(session, new.email)
        _record(
            session,
            lead,
            EventKind.STATE_CHANGE,
            at,
            now,
            payload=_arrival(new),
            text=new.recycle_reason,
        )
        _replan(session, lead, at)
        return LeadView.of(lead)


def edit_lead(db: Database, lead_id: int, edit: LeadEdit, now: datetime | None = None) -> LeadView:
    now = now or utcnow()
    with db.write() as session:
        lead = _load(session, lead_id)
        if edit.email is not None:
            _refuse_duplicate_email(session, edit.email, lead_id)
        for field in ("name", "company", "email", "phone", "title"):
            value = getattr(edit, field)
            if value is not None:
                setattr(lead, field, value or None)
        if edit.add_tags or edit.remove_tags:
            dropped = {tag.casefold() for tag in edit.remove_tags}
            kept = [tag for tag in lead.tags if tag.casefold() not in dropped]
            known = {tag.casefold() for tag in kept}
            lead.tags = kept + [tag for tag in edit.add_tags if tag.casefold() not in known]
        if edit.touches_next_step:
            _apply_next_step(lead, edit.next_step, edit.next_step_due)
        _refresh_keys(lead)
        lead.updated_at = now
        _flush_unique(session, lead.email)
        _replan(session, lead, now)
        return LeadView.of(lead)


def _apply_next_step(lead: Lead, step: str | None, due: datetime | None) -> None:
    """`step` None keeps the current one, "" clears it (and its due time)."""
    if step == "":
        lead.next_step, lead.next_step_due = None, None
        return
    new_step = step if step is not None else lead.next_step
    check_next_step(new_step, due)
    lead.next_step = new_step
    if due is not None:
        lead.next_step_due = due


def set_next_step(
    db: Database, lead_id: int, step: str, due: datetime | None, now: datetime | None = None
) -> LeadView:
    """Set (or with an empty `step`, clear) what happens next and when."""
    return edit_lead(db, lead_id, LeadEdit.create(next_step=step, next_step_due=due), now)


def move_lead(
    db: Database,
    lead_id: int,
    state: State,
    *,
    until: datetime | None = None,
    reason: str | None = None,
    category: ReasonCategory | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> LeadView:
    """Move a lead; a move to Lost or Recycle keeps its reason category (default: the usual
    one for such a move, domain/reasons.py), changeable later with `set_reason_category`."""
    now = now or utcnow()
    at = at or now
    check_event_time(at, now)
    if category is not None and state not in ASKS_REASON:
        raise FieldError(
            "{category} only applies to a move to Lost or Recycle",
            "category",
            names={"category": "a reason category"},
        )
    if state is State.RECYCLE:
        check_recycle(until, at)
    elif until is not None:
        raise FieldError(
            "{until} only applies to a move to Recycle",
            "until",
            names={"until": "a date to come back"},
        )
    with db.write() as session:
        lead = _load(session, lead_id)
        previous = State(lead.state)
        if previous is state and state is not State.RECYCLE:
            return LeadView.of(lead)
        lead.state = state
        lead.state_since = at
        if state is State.RECYCLE:
            lead.recycle_until, lead.recycle_reason = until, reason
        else:
            lead.recycle_until, lead.recycle_reason = None, None
        lead.updated_at = now
        payload: dict[str, Any] = {"from": previous.value, "to": state.value, "until": _iso(until)}
        if state in ASKS_REASON:
            guard = load_policy(session).guard_touches
            payload["category"] = category or default_reason(state, lead.unanswered, guard)
        _record(session, lead, EventKind.STATE_CHANGE, at, now, payload=payload, text=reason)
        session.flush()
        _replan(session, lead, at)
        return LeadView.of(lead)


def log_event(
    db: Database,
    lead_id: int,
    kind: SignalKind,
    *,
    at: datetime | None = None,
    direction: Direction | None = None,
    channel: Channel | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> EventView:
    """Add a signal to the timeline and bring the silence counters up to date."""
    now = now or utcnow()
    at = at or now
    check_event_time(at, now)
    traits = SIGNAL_TRAITS[kind]
    with db.write() as session:
        lead = _load(session, lead_id)
        event = _record(
            session,
            lead,
            kind,
            at,
            now,
            direction=direction or traits.direction,
            channel=channel or traits.channel,
            text=note,
        )
        session.flush()
        _recount_touches(session, lead)
        lead.updated_at = now
        if is_engagement(event.kind, event.direction) or is_answer(event.kind, event.direction):
            record_engagement(session, lead_id, at)
        _replan(session, lead, at)
        session.flush()
        return EventView.of(event)


def _replan(session: Session, lead: Lead, at: datetime) -> None:
    # Every write re-plans in its own transaction, so next_check_at is never stale.
    replan(session, lead, at, load_policy(session))


def delete_lead(db: Database, lead_id: int) -> LeadView:
    """Delete a lead and its whole history (events and alerts go with it)."""
    with db.write() as session:
        lead = _load(session, lead_id)
        view = LeadView.of(lead)
        session.delete(lead)
        return view


def _arrival(new: NewLead) -> dict[str, Any]:
    """The first move's payload: a lead added straight to Recycle is parked for timing."""
    until = _iso(new.recycle_until)
    payload: dict[str, Any] = {"from": None, "to": new.state.value, "until": until}
    if new.state is State.RECYCLE:
        payload["category"] = ReasonCategory.TIMING
    return payload


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
