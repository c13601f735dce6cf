"""Today asks about meetings from the calendar that have ended: "Did the meeting with Dana
Reyes happen?" answered with a click on Held or Missed, logged for the lead; a missed one
raises the alert a missed meeting raises."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from followthrough.domain.leads import NewLead
from followthrough.domain.meetings import Occurrence
from followthrough.services import alerts
from followthrough.services.calendar.meetings import apply_read, open_questions
from followthrough.services.clock import utcnow
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.store.models import Event
from followthrough.ui.ops import Operations
from tests.ui.cards import WAIT, shown_window

LEFT = Qt.MouseButton.LeftButton
H = timedelta(hours=1)


def ended_meetings(db: Database) -> dict[str, int]:
    """Two meetings from the calendar that ended over an hour ago; the person is asked."""
    now = utcnow()
    ids, meetings = {}, []
    for name, email, hours_ago in (
        ("Dana Reyes", "dana@acme.io", 3),
        ("Bob Stone", "bob@beta.io", 5),
    ):
        at = now - timedelta(days=10)
        ids[name] = add_lead(db, NewLead.create(name=name, email=email, now=at), at).id
        start = now - hours_ago * H
        meetings.append(Occurrence(f"{email}|x", "Pilot scope", start, start + H, False, False,
                                   {email: "ACCEPTED"}))  # fmt: skip
    # Read the day before (booked), then now (ended: asked).
    window = (now - timedelta(days=7), now + timedelta(days=60))
    apply_read(db, meetings, *window, now - timedelta(days=1))
    asked = apply_read(db, meetings, *window, now)
    assert [m.step.value for m in asked] == ["ask", "ask"]
    return ids


def kinds(db: Database, lead_id: int) -> list[str]:
    with db.read() as session:
        query = select(Event.kind).where(Event.lead_id == lead_id).order_by(col(Event.id))
        return list(session.exec(query))


def test_meetings_that_ended_are_answered_from_today_with_the_mouse(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    ids = ended_meetings(db)
    window = shown_window(qtbot, ops, (1400, 900))
    strip = window.today.questions
    qtbot.waitUntil(lambda: len(strip.buttons) == 4, timeout=WAIT)
    assert strip.isVisible()
    texts = [label.text() for label in strip.findChildren(type(window.today.title))]
    assert "Did the meeting with Bob Stone happen?" in texts
    assert "Did the meeting with Dana Reyes happen?" in texts

    held = next(
        b for (m, h), b in strip.buttons.items() if h and _lead_of(db, m) == ids["Dana Reyes"]
    )
    with qtbot.waitSignal(strip.answered, timeout=WAIT):
        QTest.mouseClick(held, LEFT)
    assert kinds(db, ids["Dana Reyes"])[-1] == "meeting_held"
    qtbot.waitUntil(lambda: len(strip.buttons) == 2, timeout=WAIT)

    # On the undo stack like any change to a lead: Edit › Undo asks the question again.
    undo = window.menus["undo"]
    qtbot.waitUntil(undo.isEnabled, timeout=WAIT)
    assert undo.text() == "&Undo Log the meeting with Dana Reyes as held"
    undo.trigger()
    qtbot.waitUntil(lambda: len(strip.buttons) == 4, timeout=WAIT)
    assert "meeting_held" not in kinds(db, ids["Dana Reyes"])
    redo = window.menus["redo"]
    qtbot.waitUntil(redo.isEnabled, timeout=WAIT)
    redo.trigger()
    qtbot.waitUntil(lambda: len(strip.buttons) == 2, timeout=WAIT)
    assert kinds(db, ids["Dana Reyes"])[-1] == "meeting_held"

    missed = next(b for (_, h), b in strip.buttons.items() if not h)
    assert missed.text() == "Missed"
    with qtbot.waitSignal(strip.answered, timeout=WAIT):
        QTest.mouseClick(missed, LEFT)
    assert kinds(db, ids["Bob Stone"])[-1] == "meeting_missed"
    qtbot.waitUntil(lambda: strip.isHidden(), timeout=WAIT)
    assert open_questions(db) == []
    # The rules react as to a missed meeting typed by hand: the next tick raises it.
    raised = alerts.tick(db, utcnow())
    assert [(a.lead_id, a.rule) for a in raised] == [(ids["Bob Stone"], "meeting_missed")]
    # Answered, the meeting is no longer anyone's next step (nothing is "due" for it).


def _lead_of(db: Database, meeting_id: int) -> int:
    return next(q.lead_id for q in open_questions(db) if q.meeting_id == meeting_id)
