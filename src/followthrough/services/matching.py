"""Automatic signals the person can take back, and leads kept out of automatic matching.

"Not this lead" removes a signal the app logged by itself (from the mailbox, the calendar, a
mail rule) and remembers what matched it, so that the same address or calendar event never
matches that lead again (domain/provenance.py). A lead can also opt out of automatic matching
altogether. The matchers ask `unmatchable` before they log anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, tuple_
from sqlmodel import Session

from followthrough.domain.provenance import SignalSource, match_of, source_of
from followthrough.errors import InvalidData, NotFound
from followthrough.services import leads
from followthrough.services.clock import utcnow
from followthrough.store.db import Database
from followthrough.store.models import Event, Lead, MatchSkip
from followthrough.store.tables import LEAD, MATCH_SKIP, MEETING


@dataclass(frozen=True)
class Unmatched:
    lead_id: int
    kind: str  # the signal taken back
    match: str | None  # what will not match this lead again (None: nothing was recorded)


def not_this_lead(db: Database, event_id: int, now: datetime | None = None) -> Unmatched:
    """Take back a signal the app matched to the wrong lead, and never match it so again."""
    now = now or utcnow()
    with db.write() as session:
        event = session.get(Event, event_id)
        if event is None:
            raise NotFound(f"no event with id {event_id}")
        source = source_of(event.payload)
        if not source.automatic:
            raise InvalidData(
                "that was logged by hand, not matched automatically: nothing to take back",
                "event",
            )
        lead = session.get(Lead, event.lead_id)
        assert lead is not None  # an event goes with its lead
        match = match_of(event.payload)
        taken = Unmatched(event.lead_id, event.kind, match)
        session.delete(event)
        if source is SignalSource.CALENDAR and isinstance(
            meeting := event.payload.get("meeting"), str
        ):
            _forget_meeting(session, lead, meeting, now)
        if match is not None and not _skipped(session, match, event.lead_id):
            session.add(MatchSkip(match=match, lead_id=event.lead_id, created_at=now))
        session.flush()
        leads._recount_touches(session, lead)
        lead.updated_at = now
        leads._replan(session, lead, now)
        return taken


def set_auto_signals(db: Database, lead_id: int, on: bool, now: datetime | None = None) -> int:
    """Let the mailbox, the calendar and the mail rules match this lead, or not."""
    with db.write() as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise NotFound(f"no lead with id {lead_id}")
        lead.auto_signals = on
        lead.updated_at = now or utcnow()
        return lead_id


def leads_by_email(conn: Connection, emails: Iterable[str]) -> dict[str, tuple[int, str]]:
    """E-mail key → (lead id, name), for the addresses a matcher found (mail, calendar)."""
    wanted = set(emails)
    if not wanted:
        return {}
    rows = conn.execute(
        select(LEAD.c.email_key, LEAD.c.id, LEAD.c.name).where(LEAD.c.email_key.in_(wanted))
    )
    return {key: (lead_id, name) for key, lead_id, name in rows}


def email_keys(db: Database) -> frozenset[str]:
    """Every lead's e-mail key: what a calendar read looks for before it parses anything."""
    with db.read() as session:
        rows = session.connection().execute(
            select(LEAD.c.email_key).where(LEAD.c.email_key.is_not(None))
        )
        return frozenset(key for (key,) in rows if key)


def unmatchable(conn: Connection, pairs: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
    """Of these (match, lead id) pairs, those a matcher must not log: the lead opted out of
    automatic matching, or the person said "Not this lead" to that match before."""
    wanted = set(pairs)
    if not wanted:
        return set()
    lead_ids = {lead_id for _, lead_id in wanted}
    opted_out = set(
        conn.execute(
            select(LEAD.c.id).where(LEAD.c.id.in_(lead_ids), LEAD.c.auto_signals.is_(False))
        ).scalars()
    )
    skipped = {
        (match, lead_id)
        for match, lead_id in conn.execute(
            select(MATCH_SKIP.c.match, MATCH_SKIP.c.lead_id).where(
                tuple_(MATCH_SKIP.c.match, MATCH_SKIP.c.lead_id).in_(sorted(wanted))
            )
        )
    }
    return {pair for pair in wanted if pair[1] in opted_out or pair in skipped}


def _forget_meeting(session: Session, lead: Lead, key: str, now: datetime) -> None:
    """A calendar event that was never this lead's: its meetings go, and the next step one
    of them set (if the lead still has it) with them."""
    uid = key.split("|", 1)[0]
    conn = session.connection()
    mine = (MEETING.c.lead_id == lead.id) & MEETING.c.key.startswith(f"{uid}|", autoescape=True)
    for start in conn.execute(
        select(MEETING.c.start).where(mine, MEETING.c.sets_next_step)
    ).scalars():
        if lead.next_step_due == start:
            lead.next_step, lead.next_step_due, lead.updated_at = None, None, now
    conn.execute(delete(MEETING).where(mine))


def _skipped(session: Session, match: str, lead_id: int) -> bool:
    found = session.connection().execute(
        select(MATCH_SKIP.c.id).where(MATCH_SKIP.c.match == match, MATCH_SKIP.c.lead_id == lead_id)
    )
    return found.first() is not None
