"""Every change is told in the past tense with its way back, and the way back works: the sent
message, redo from the keyboard, and the sample's removal that keeps the person's history."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services import alerts, lead_queries, leads
from followthrough.services.preferences import update_preferences
from followthrough.store.db import Database
from followthrough.ui.drafting.dialog import DraftDialog
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from tests.ui.cards import WAIT, click_button, click_card, names, open_box, shown_window

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def shown(qtbot: QtBot, ops: Operations) -> MainWindow:
    return shown_window(qtbot, ops, (1400, 900))


@pytest.fixture
def silent(db: Database) -> tuple[int, int]:
    """Ana, written to three days ago with no answer: a silence alert to follow up."""
    now = datetime.now(UTC)
    update_preferences(db, {"sender_name": "Sam Reyes"})
    new = NewLead.create(name="Ana Silva", now=now, email="ana@acme.com", next_step="Pilot call")
    lead = leads.add_lead(db, new, now)
    leads.log_event(db, lead.id, SignalKind.SENT, at=now - timedelta(days=3), now=now)
    [alert] = alerts.tick(db, now)
    return lead.id, alert.id


def sent_events(db: Database, lead_id: int) -> int:
    return sum(e.kind == SignalKind.SENT for e in lead_queries.get_lead(db, lead_id).timeline)


def test_a_move_is_told_in_the_past_tense_with_the_key_that_undoes_it(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    leads.add_lead(db, NewLead.create(name="Bob Stone", now=datetime.now(UTC)))
    window = shown(qtbot, ops)
    click_card(qtbot, window, "Bob Stone")
    QTest.keyClick(window.columns["hot"].view, Qt.Key.Key_2, CTRL)
    qtbot.waitUntil(lambda: names(window, State.WARM) == ["Bob Stone"], timeout=WAIT)
    assert window.statusBar().currentMessage() == "Moved Bob Stone to Warm — Ctrl+Z undoes it"


def test_mark_as_sent_from_the_draft_goes_on_the_undo_stack(
    qtbot: QtBot, db: Database, ops: Operations, silent: tuple[int, int]
) -> None:
    lead_id, alert_id = silent
    window = shown(qtbot, ops)
    dialog = window.open_draft(lead_id, alert_id)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=WAIT)
    qtbot.mouseClick(dialog.mark, Qt.MouseButton.LeftButton)
    # "Not yet" closes the form again (it used to raise a TypeError on every click).
    qtbot.mouseClick(dialog.sent_form.back, Qt.MouseButton.LeftButton)
    assert not dialog.sent_form.isVisible()
    assert dialog.mark.isEnabled()
    qtbot.mouseClick(dialog.mark, Qt.MouseButton.LeftButton)
    dialog.sent_form.due.setText("+3d")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        qtbot.mouseClick(dialog.sent_form.log, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.menus["undo"].isEnabled(), timeout=WAIT)
    assert sent_events(db, lead_id) == 2
    assert alerts.get_alert(db, alert_id).status == "done"
    assert window.statusBar().currentMessage() == (
        "Logged the message to Ana Silva — Ctrl+Z undoes it"
    )
    assert window.menus["undo"].text() == "&Undo Log the message to Ana Silva as sent"
    window.menus["undo"].trigger()
    qtbot.waitUntil(lambda: sent_events(db, lead_id) == 1, timeout=WAIT)
    assert alerts.get_alert(db, alert_id).status == "open"  # the follow-up is due again


def test_redo_works_from_the_keyboard_and_no_key_is_bound_twice(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    leads.add_lead(db, NewLead.create(name="Bob Stone", now=datetime.now(UTC)))
    window = shown(qtbot, ops)
    actions = [a for a in window.findChildren(QAction) if a.shortcuts()]
    keys = Counter(k.toString() for a in actions for k in a.shortcuts())
    assert [key for key, count in keys.items() if count > 1] == []
    click_card(qtbot, window, "Bob Stone")
    view = window.columns["hot"].view
    QTest.keyClick(view, Qt.Key.Key_2, CTRL)
    qtbot.waitUntil(lambda: names(window, State.WARM) == ["Bob Stone"], timeout=WAIT)
    QTest.keyClick(window.columns["warm"].view, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: names(window, State.HOT) == ["Bob Stone"], timeout=WAIT)
    assert window.statusBar().currentMessage().startswith("Undid: moved Bob Stone to Warm")
    QTest.keyClick(window.columns["hot"].view, Qt.Key.Key_Z, CTRL_SHIFT)
    qtbot.waitUntil(lambda: names(window, State.WARM) == ["Bob Stone"], timeout=WAIT)
    assert window.statusBar().currentMessage().startswith("Redid: moved Bob Stone to Warm")


def test_removing_the_sample_asks_and_keeps_the_history_of_ones_own_changes(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    window = shown(qtbot, ops)
    with qtbot.waitSignal(window.first_run.sample_loaded, timeout=10_000):
        qtbot.mouseClick(window.first_run.sample_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(names(window, State.HOT)), timeout=WAIT)
    window.lead_actions.add(NewLead.create(name="My Own Lead", now=datetime.now(UTC)))
    qtbot.waitUntil(lambda: "My Own Lead" in names(window, State.HOT), timeout=WAIT)
    sample_card = next(n for n in names(window, State.WARM))
    click_card(qtbot, window, sample_card)
    QTest.keyClick(window.columns["warm"].view, Qt.Key.Key_1, CTRL)  # a change to a sample lead
    qtbot.waitUntil(lambda: sample_card in names(window, State.HOT), timeout=WAIT)

    window.menus["clear sample"].trigger()
    box = open_box(qtbot, window)
    assert box.text() == "Remove the sample leads?"
    click_button(qtbot, box, "Cancel")
    assert sample_card in names(window, State.HOT)  # Cancel changed nothing
    window.menus["clear sample"].trigger()
    click_button(qtbot, open_box(qtbot, window), "Remove")
    qtbot.waitUntil(lambda: names(window, State.HOT) == ["My Own Lead"], timeout=WAIT)
    assert window.statusBar().currentMessage().startswith("Removed ")
    # The move of the sample lead has nothing left to undo; adding one's own lead has.
    assert window.menus["undo"].text() == "&Undo Add My Own Lead"
    window.menus["undo"].trigger()
    qtbot.waitUntil(lambda: names(window, State.HOT) == [], timeout=WAIT)
    assert window.first_run.isVisible()


def test_the_first_draft_asks_how_to_sign_once(qtbot: QtBot, db: Database, ops: Operations) -> None:
    now = datetime.now(UTC)
    lead = leads.add_lead(db, NewLead.create(name="Ana Silva", now=now, next_step="Pilot"), now)
    leads.log_event(db, lead.id, SignalKind.SENT, at=now - timedelta(days=3), now=now)
    alerts.tick(db, now)
    window = shown(qtbot, ops)
    dialog = window.open_draft(lead.id)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=WAIT)
    assert dialog.sender_question.isVisible()
    assert dialog.body.toPlainText().rstrip().endswith("Best,")  # unsigned, as things stand
    qtbot.keyClicks(dialog.sender_question.name, "Sam Reyes")
    with qtbot.waitSignal(dialog.drafted, timeout=WAIT):
        qtbot.mouseClick(dialog.sender_question.use, Qt.MouseButton.LeftButton)
    assert not dialog.sender_question.isVisible()
    assert dialog.body.toPlainText().rstrip().endswith("Sam Reyes")
    dialog.reject()
    again = window.open_draft(lead.id)
    qtbot.waitUntil(lambda: again.draft is not None, timeout=WAIT)
    assert not again.sender_question.isVisible()  # asked once
    assert isinstance(again, DraftDialog)
