"""Reads of a calendar applied to the pipeline: a meeting with a lead is booked once and becomes
its next step, a move moves it, a cancellation is told to the rules (an alert), and once it
has ended the person is asked whether it happened, once; their answer is logged."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from followthrough.domain.leads import NewLead
from followthrough.domain.meetings import Occurrence
from followthrough.errors import InvalidData
from followthrough.services import alerts, lead_queries, leads
from followthrough.services.calendar.meetings import (
    answer_meeting,
    apply_read,
    open_questions,
)
from followthrough.services.matching import not_this_lead, set_auto_signals
from followthrough.store.db import Database
from followthrough.store.models import Event
from tests.conftest import NOW

H = timedelta(hours=1)
FRIDAY = NOW + timedelta(days=3)
READ = (NOW - timedelta(days=7), NOW + timedelta(days=60))


def add(
    db: Database, name: str, email: str, step: str | None = None, due: datetime | None = None
) -> int:
    at = NOW - timedelta(days=10)
    new = NewLead.create(name=name, email=email, next_step=step, next_step_due=due, now=at)
    return leads.add_lead(db, new, at).id


def pilot(start: datetime = FRIDAY, cancelled: bool = False, dana: str = "ACCEPTED") -> Occurrence:
    return Occurrence("pilot-uid|2026-12-01T13:00:00+00:00", "Pilot scope", start, start + H, False,
                      cancelled, {"me@example.com": "ACCEPTED", "dana@acme.io": dana})  # fmt: skip


def read(db: Database, *occurrences: Occurrence, now: datetime = NOW) -> list[tuple[str, str]]:
    return [(m.step.value, m.lead_name) for m in apply_read(db, occurrences, *READ, now)]


def timeline(db: Database, lead_id: int) -> list[tuple[str, str | None, str]]:
    with db.read() as session:
        found = session.exec(
            select(Event).where(Event.lead_id == lead_id, col(Event.kind) != "state_change")
            .order_by(col(Event.id))
        )  # fmt: skip
        return [(e.kind, e.text, e.payload.get("source", "typed")) for e in found]


def test_a_meeting_is_booked_once_and_becomes_the_next_step(db: Database) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    add(db, "Bob Stone", "bob@beta.io")
    assert read(db, pilot()) == [("booked", "Dana Reyes")]
    assert read(db, pilot()) == []  # read again, across restarts too: logged once
    assert timeline(db, dana) == [("meeting_booked", "Pilot scope", "calendar")]
    lead = lead_queries.get_lead(db, dana, NOW).lead
    assert (lead.next_step, lead.next_step_due) == ("Call: Pilot scope", FRIDAY)


def test_a_step_planned_beyond_the_meeting_stays(db: Database) -> None:
    later = FRIDAY + timedelta(days=10)
    dana = add(db, "Dana Reyes", "dana@acme.io", "Send the contract", later)
    read(db, pilot())
    lead = lead_queries.get_lead(db, dana, NOW).lead
    assert (lead.next_step, lead.next_step_due) == ("Send the contract", later)


def test_a_moved_meeting_moves_the_next_step_and_a_cancelled_one_raises_an_alert(
    db: Database,
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    read(db, pilot())
    moved = FRIDAY + timedelta(days=1, hours=2)
    assert read(db, pilot(moved)) == [("moved", "Dana Reyes")]
    assert lead_queries.get_lead(db, dana, NOW).lead.next_step_due == moved

    assert read(db, pilot(moved, cancelled=True)) == [("cancelled", "Dana Reyes")]
    assert read(db, pilot(moved, cancelled=True)) == []
    assert [k for k, _, _ in timeline(db, dana)] == ["meeting_booked", "note", "meeting_cancelled"]
    # The call is off: it is no longer the next step, and no "was due" alert will say it is.
    lead = lead_queries.get_lead(db, dana, NOW).lead
    assert (lead.next_step, lead.next_step_due) == (None, None)
    # The rules react: a cancelled meeting is a trigger, like a missed one.
    raised = alerts.tick(db, NOW + H)
    assert [(a.lead_id, a.rule) for a in raised] == [(dana, "meeting_missed")]
    assert "was cancelled" in raised[0].reason


def test_a_meeting_that_is_the_next_step_raises_no_due_alert_the_question_follows_it(
    db: Database,
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    read(db, pilot())
    # During the meeting and after it, nothing says the step "was due": the question asks.
    assert alerts.tick(db, FRIDAY + H / 2) == []
    assert read(db, pilot(), now=FRIDAY + 2 * H) == [("ask", "Dana Reyes")]
    assert alerts.tick(db, FRIDAY + 3 * H) == []
    # A step the person typed is theirs: its time passing still raises the alert.
    bob = add(db, "Bob Stone", "bob@beta.io", "Call Bob", FRIDAY)
    assert [(a.lead_id, a.rule) for a in alerts.tick(db, FRIDAY + 4 * H)] == [(bob, "due")]
    # Answered "missed": the meeting's step goes and the missed-meeting rule takes over.
    [question] = open_questions(db)
    answer_meeting(db, question.meeting_id, held=False, now=FRIDAY + 5 * H)
    raised = alerts.tick(db, FRIDAY + 6 * H)
    assert [(a.lead_id, a.rule) for a in raised] == [(dana, "meeting_missed")]


def test_a_declined_or_vanished_meeting_is_cancelled_too(db: Database) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    read(db, pilot())
    assert read(db, pilot(dana="DECLINED")) == [("cancelled", "Dana Reyes")]
    bob = add(db, "Bob Stone", "bob@beta.io")
    demo = Occurrence("demo|x", "Demo", FRIDAY, FRIDAY + H, False, False, {"bob@beta.io": ""})
    read(db, demo)
    assert read(db) == [("cancelled", "Bob Stone")]  # gone from the calendar before it happened
    assert timeline(db, bob)[-1][0] == "meeting_cancelled"
    assert timeline(db, dana)[-1][0] == "meeting_cancelled"


def test_once_it_has_ended_the_person_is_asked_and_the_answer_is_logged(db: Database) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    read(db, pilot())
    after = FRIDAY + 2 * H
    assert read(db, pilot(), now=after) == [("ask", "Dana Reyes")]
    assert read(db, pilot(), now=after + H) == []  # asked once
    [question] = open_questions(db)
    assert (question.lead_name, question.title, question.start) == (
        "Dana Reyes",
        "Pilot scope",
        FRIDAY,
    )

    answered = answer_meeting(db, question.meeting_id, held=True, now=after + H)
    assert answered.meeting_id == question.meeting_id
    # The meeting was the next step; behind us now, it no longer is.
    assert lead_queries.get_lead(db, dana, after).lead.next_step is None
    assert open_questions(db) == []
    assert timeline(db, dana)[-1] == ("meeting_held", "Pilot scope", "typed")
    with pytest.raises(InvalidData, match="already answered: held"):
        answer_meeting(db, question.meeting_id, held=False, now=after + H)


def test_not_this_lead_and_opting_out_keep_a_lead_out_of_a_calendar(db: Database) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    bob = add(db, "Bob Stone", "bob@beta.io")
    read(db, pilot())
    [booked] = [e for e in _events(db, dana) if e.kind == "meeting_booked"]
    not_this_lead(db, booked.id or 0, NOW)
    # The same event (any instance of it) never matches Dana again.
    assert read(db, pilot(FRIDAY + timedelta(days=7))) == []
    set_auto_signals(db, bob, False, NOW)
    demo = Occurrence("demo|x", "Demo", FRIDAY, FRIDAY + H, False, False, {"bob@beta.io": ""})
    assert read(db, demo) == []
    assert [k for k, _, _ in timeline(db, dana)] == []
    # The meeting was never Dana's: the next step it had set goes with it.
    assert lead_queries.get_lead(db, dana, NOW).lead.next_step is None


def _events(db: Database, lead_id: int) -> list[Event]:
    with db.read() as session:
        return list(session.exec(select(Event).where(Event.lead_id == lead_id)))


def test_a_meeting_first_read_after_it_ended_is_kept_and_asked_about(db: Database) -> None:
    # The calendar was set up, or the app was closed, after the meeting took place.
    dana = add(db, "Dana Reyes", "dana@acme.io")
    yesterday = NOW - timedelta(days=1)
    assert read(db, pilot(start=yesterday)) == [("booked", "Dana Reyes"), ("ask", "Dana Reyes")]
    # Logged as booked by the time it began, so that an answer "missed" comes after it and
    # the rules react to it.
    with db.read() as session:
        [booked] = session.exec(select(Event).where(Event.kind == "meeting_booked")).all()
    assert booked.at == yesterday
    assert [(q.lead_id, q.start) for q in open_questions(db)] == [(dana, yesterday)]
    # Being over, it was never the lead's next step; a second read asks nothing again.
    assert lead_queries.get_lead(db, dana, NOW).lead.next_step is None
    assert read(db, pilot(start=yesterday)) == []
