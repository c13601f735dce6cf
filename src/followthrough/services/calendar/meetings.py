"""A read of the person's calendar, applied: each meeting with a lead logged once, its moves
followed, its cancellation told to the rules, and "did it happen?" asked once it has ended.

The steps come from domain/meetings.py, comparing the occurrences read with the meetings kept
(store `meeting`); everything a read logs is one transaction, through the same bulk path as
the mail watch (signal_log.py: counters, touch facts, re-planning). Signals carry their
source and what matched them ("calendar:<event UID>"), so "Not this lead" takes one back and
that event never matches that lead again; leads kept out of automatic matching are skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from followthrough.domain.meetings import (
    Kept,
    MeetingStep,
    Occurrence,
    StepKind,
    meeting_next_step,
    meeting_steps,
    takes_next_step,
)
from followthrough.domain.provenance import MATCH, SOURCE, SignalSource, match_key
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.errors import InvalidData, NotFound
from followthrough.services.clock import utcnow
from followthrough.services.matching import leads_by_email, unmatchable
from followthrough.services.signal_log import SignalEntry, log_signals
from followthrough.store.db import Database
from followthrough.store.models import Meeting
from followthrough.store.tables import LEAD, MEETING

HELD, MISSED = "held", "missed"


@dataclass(frozen=True)
class MeetingLogged:
    """One step a read took, for the faces to tell ("Booked: Pilot scope with Dana")."""

    lead_id: int
    lead_name: str
    step: StepKind
    title: str
    start: datetime


@dataclass(frozen=True)
class MeetingQuestion:
    """A meeting that has ended: only the person knows whether it happened."""

    meeting_id: int
    lead_id: int
    lead_name: str
    title: str
    start: datetime
    end: datetime


def event_uid(key: str) -> str:
    return key.split("|", 1)[0]


def calendar_match(key: str) -> str:
    """What a calendar signal was matched by: the event (every instance of it)."""
    return match_key(SignalSource.CALENDAR, event_uid(key))


def apply_read(
    db: Database,
    occurrences: Sequence[Occurrence],
    read_from: datetime,
    read_until: datetime,
    now: datetime | None = None,
    uids: Collection[str] | None = None,
) -> list[MeetingLogged]:
    """Log what this read of the calendar calls for; returns the steps taken.

    `uids`: the events the read covers (a CalDAV read fetches only what changed, and
    names what was deleted); only kept meetings of those events may be taken as gone from
    the window. None: the read is the whole calendar.
    """
    now = now or utcnow()
    with db.write() as session:
        conn = session.connection()
        leads = leads_by_email(conn, (email for o in occurrences for email in o.attendees))
        refused = unmatchable(
            conn,
            ((calendar_match(o.key), leads[e][0]) for o in occurrences for e in o.attendees
             if e in leads),
        )  # fmt: skip
        # An occurrence without the leads it must not match, as if they were not invited.
        visible = [_without(o, leads, refused) for o in occurrences]
        kept_rows = _kept(conn, [o.key for o in occurrences], read_from, read_until, uids)
        kept = {pair: _as_kept(row) for pair, row in kept_rows.items()}
        by_email = {email: lead_id for email, (lead_id, _) in leads.items()}
        steps = meeting_steps(visible, kept, by_email, read_from, read_until, now)
        names = dict(leads.values())
        names.update(_names(conn, [s.lead_id for s in steps if s.lead_id not in names]))
        writes = MeetingWrites(conn, now)
        entries: list[SignalEntry] = []
        for step in steps:
            entries += writes.take(step, kept_rows.get((step.key, step.lead_id)))
        writes.flush()
        log_signals(session, entries, now)
        return [
            MeetingLogged(s.lead_id, names.get(s.lead_id, ""), s.kind, s.title, s.start)
            for s in steps
        ]


class MeetingWrites:
    """The writes one read's steps call for, in one transaction.

    A first read of a busy calendar books hundreds of meetings: new meetings and the next
    steps they set are written together at the end (executemany), the lead's next step kept
    here meanwhile, so that each booking sees those before it as if each were written at once.
    A step about a meeting kept before writes what is pending first.
    """

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn, self.now = conn, now
        self._new: dict[tuple[str, int], dict[str, Any]] = {}  # meetings to insert
        self._steps: dict[int, tuple[str, datetime]] = {}  # lead → next step, due, to set
        self._due: dict[int, datetime | None] = {}  # lead → next step due, as it stands

    def take(self, step: MeetingStep, row: Any) -> list[SignalEntry]:
        """Write what one step changes; the signals it logs are returned for one bulk log."""
        note = step.title or None
        pending = self._new.get((step.key, step.lead_id))
        if step.kind is StepKind.ASK and pending is not None:
            pending["asked_at"] = self.now  # booked by this read, already over
            return []
        if step.kind is StepKind.BOOKED:
            values = {"title": step.title, "start": step.start, "end": step.end,
                      "cancelled": False, "sets_next_step": self._book(step),
                      "updated_at": self.now}  # fmt: skip
            if row is None:
                self._new[(step.key, step.lead_id)] = {"key": step.key, "lead_id": step.lead_id,
                    "created_at": self.now, "asked_at": None, **values}  # fmt: skip
            else:
                self.conn.execute(update(MEETING).where(MEETING.c.id == row.id).values(**values))
            # Booked some time before it began: a meeting first read after it began is
            # logged at its start, so that what follows it (missed) comes after the booking.
            booked = _signal(step, SignalKind.MEETING_BOOKED, Direction.IN, note, self.now)
            return [replace(booked, at=min(self.now, step.start))]
        self.flush()
        if row is None:  # kept by this very read
            row = self.conn.execute(
                select(MEETING).where(MEETING.c.key == step.key, MEETING.c.lead_id == step.lead_id)
            ).one()
        return self._change(step, row, note)

    def _change(self, step: MeetingStep, row: Any, note: str | None) -> list[SignalEntry]:
        conn, now = self.conn, self.now
        if step.kind is StepKind.MOVED:
            if row.sets_next_step:
                conn.execute(
                    update(LEAD)
                    .where(LEAD.c.id == step.lead_id, LEAD.c.next_step_due == step.previous_start)
                    .values(next_step_due=step.start, updated_at=now)
                )
                self._due.pop(step.lead_id, None)  # read again if another booking asks
            conn.execute(update(MEETING).where(MEETING.c.id == row.id).values(
                title=step.title, start=step.start, end=step.end, updated_at=now))  # fmt: skip
            moved = f"Meeting moved: {step.title}" if step.title else "Meeting moved"
            return [_signal(step, SignalKind.NOTE, Direction.NONE, moved, now)]
        if step.kind is StepKind.CANCELLED:
            if row.sets_next_step:  # the call is off: what comes next is the person's to plan
                self._clear_step(step.lead_id, row.start)
            conn.execute(update(MEETING).where(MEETING.c.id == row.id).values(
                cancelled=True, sets_next_step=False, updated_at=now))  # fmt: skip
            return [_signal(step, SignalKind.MEETING_CANCELLED, Direction.NONE, note, now)]
        conn.execute(
            update(MEETING).where(MEETING.c.id == row.id).values(asked_at=now, updated_at=now)
        )
        return []

    def _clear_step(self, lead_id: int, due: datetime) -> None:
        """Clear the lead's next step, if it is still the one a meeting set."""
        self.conn.execute(
            update(LEAD)
            .where(LEAD.c.id == lead_id, LEAD.c.next_step_due == due)
            .values(next_step=None, next_step_due=None, updated_at=self.now)
        )
        self._due.pop(lead_id, None)

    def _book(self, step: MeetingStep) -> bool:
        """Make a future meeting the lead's next step where domain/meetings says it takes it."""
        if step.start <= self.now:
            return False
        if step.lead_id not in self._due:
            self._due[step.lead_id] = self.conn.execute(
                select(LEAD.c.next_step_due).where(LEAD.c.id == step.lead_id)
            ).scalar()
        if not takes_next_step(self._due[step.lead_id], step.start):
            return False
        self._due[step.lead_id] = step.start
        self._steps[step.lead_id] = (meeting_next_step(step.title), step.start)
        return True

    def flush(self) -> None:
        """Write what is pending."""
        if self._new:
            self.conn.execute(insert(MEETING), list(self._new.values()))
            self._new.clear()
        if self._steps:
            rows = [{"lead": lead, "step": text, "due": due}
                    for lead, (text, due) in self._steps.items()]  # fmt: skip
            statement = update(LEAD).where(LEAD.c.id == bindparam("lead"))
            self.conn.execute(
                statement.values(
                    next_step=bindparam("step"), next_step_due=bindparam("due"), updated_at=self.now
                ),
                rows,
            )
            self._steps.clear()


def _signal(
    step: MeetingStep, kind: SignalKind, direction: Direction, note: str | None, now: datetime
) -> SignalEntry:
    payload = {SOURCE: SignalSource.CALENDAR.value, MATCH: calendar_match(step.key),
               "meeting": step.key}  # fmt: skip
    return SignalEntry(step.lead_id, kind, now, direction, Channel.MEETING, note, payload)


def _names(conn: Connection, lead_ids: list[int]) -> dict[int, str]:
    if not lead_ids:
        return {}
    names: dict[int, str] = {}
    for lead_id, name in conn.execute(
        select(LEAD.c.id, LEAD.c.name).where(LEAD.c.id.in_(lead_ids))
    ):
        names[lead_id] = name
    return names


def _without(
    occurrence: Occurrence, leads: dict[str, tuple[int, str]], refused: set[tuple[str, int]]
) -> Occurrence:
    match = calendar_match(occurrence.key)
    attendees = {
        email: partstat
        for email, partstat in occurrence.attendees.items()
        if email not in leads or (match, leads[email][0]) not in refused
    }
    return occurrence._replace(attendees=attendees)


def _kept(
    conn: Connection,
    keys: list[str],
    read_from: datetime,
    read_until: datetime,
    uids: Collection[str] | None,
) -> dict[tuple[str, int], Any]:
    """The meetings kept that this read speaks about: those read again, and those in the
    window read of the events it covers (a meeting gone from it was cancelled)."""
    in_window = (MEETING.c.start >= read_from) & (MEETING.c.start < read_until)
    rows = conn.execute(select(MEETING).where(or_(MEETING.c.key.in_(keys), in_window))).all()
    if uids is not None:
        read, covered = set(keys), set(uids)
        rows = [r for r in rows if r.key in read or event_uid(r.key) in covered]
    return {(row.key, row.lead_id): row for row in rows}


def _as_kept(row: Any) -> Kept:
    """A kept meeting row as the rules read it."""
    return Kept(row.key, row.lead_id, row.start, row.end, row.cancelled, row.asked_at is not None)


def ask_ended(db: Database, now: datetime) -> int:
    """Ask about every kept meeting that has ended and was neither asked about nor
    cancelled: time alone brings the question, whether the calendar changed or not."""
    with db.write() as session:
        asked = session.connection().execute(
            update(MEETING)
            .where(
                MEETING.c.end <= now,
                MEETING.c.asked_at.is_(None),
                MEETING.c.cancelled.is_(False),
            )
            .values(asked_at=now, updated_at=now)
        )
        return asked.rowcount


def open_questions(db: Database) -> list[MeetingQuestion]:
    """Meetings that have ended and whose outcome only the person knows, oldest first."""
    with db.read() as session:
        rows = session.connection().execute(
            select(MEETING, LEAD.c.name)
            .join(LEAD, LEAD.c.id == MEETING.c.lead_id)
            .where(
                MEETING.c.asked_at.is_not(None),
                MEETING.c.answer.is_(None),
                MEETING.c.cancelled.is_(False),
            )
            .order_by(MEETING.c.end, MEETING.c.id)
        )
        return [MeetingQuestion(r.id, r.lead_id, r.name, r.title, r.start, r.end) for r in rows]


def answer_meeting(
    db: Database, meeting_id: int, held: bool, now: datetime | None = None
) -> MeetingQuestion:
    """The person says whether the meeting happened: logged as held or missed, at its end."""
    now = now or utcnow()
    with db.write() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"no meeting with id {meeting_id}")
        if meeting.answer is not None:
            raise InvalidData(f"that meeting was already answered: {meeting.answer}", "meeting")
        meeting.answer, meeting.answered_at, meeting.updated_at = (
            HELD if held else MISSED,
            now,
            now,
        )
        if meeting.sets_next_step:
            # The step was this meeting, and it is behind us now: what comes next is new.
            session.connection().execute(
                update(LEAD)
                .where(LEAD.c.id == meeting.lead_id, LEAD.c.next_step_due == meeting.start)
                .values(next_step=None, next_step_due=None, updated_at=now)
            )
            meeting.sets_next_step = False
        kind = SignalKind.MEETING_HELD if held else SignalKind.MEETING_MISSED
        # The person's own answer (typed), about the meeting the calendar showed.
        entry = SignalEntry(meeting.lead_id, kind, min(meeting.end, now), Direction.IN
                            if held else Direction.NONE, Channel.MEETING, meeting.title or None,
                            {"meeting": meeting.key})  # fmt: skip
        session.flush()
        log_signals(session, [entry], now)
        name = (
            session.connection()
            .execute(select(LEAD.c.name).where(LEAD.c.id == meeting.lead_id))
            .scalar_one()
        )
        return MeetingQuestion(meeting_id, meeting.lead_id, name, meeting.title,
                               meeting.start, meeting.end)  # fmt: skip
