"""Ctrl+N: inline messages while typing, the lead on the board after OK, nothing lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import ALL_STATES
from followthrough.services import lead_queries, leads
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from tests.conftest import NOW


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> Iterator[MainWindow]:
    ops = Operations(db)
    win = MainWindow(ops)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.board_loaded, timeout=5000):
        win.show()
    yield win
    ops.shutdown()


def ok_enabled(dialog: object) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()  # type: ignore[attr-defined]


def test_ctrl_n_adds_a_lead_that_appears_selected(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    assert window.add_action.shortcut().toString() == "Ctrl+N"
    dialog = window.quick_add()
    assert not ok_enabled(dialog)
    qtbot.keyClicks(dialog.name, "Ana Silva")
    qtbot.keyClicks(dialog.email, "ana@acme")
    assert dialog.problem.text() == "'ana@acme' is not a valid e-mail address."
    assert not ok_enabled(dialog)
    qtbot.keyClicks(dialog.email, ".com")
    qtbot.keyClicks(dialog.next_step, "Send the pilot plan")
    qtbot.keyClicks(dialog.due, "someday")
    assert dialog.problem.text().startswith("Due: cannot read 'someday'")
    dialog.due.clear()
    qtbot.keyClicks(dialog.due, "tomorrow")
    assert dialog.problem.text() == ""
    with qtbot.waitSignal(window.board_loaded, timeout=5000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    hot = window.columns["hot"]
    assert hot.model.data(hot.model.index(0)) == "Ana Silva"
    qtbot.waitUntil(lambda: hot.view.currentIndex().row() == 0, timeout=2000)
    [lead] = lead_queries.list_leads(db, ALL_STATES)
    assert (lead.email, lead.next_step) == ("ana@acme.com", "Send the pilot plan")
    assert lead.next_step_due is not None


def test_recycle_needs_a_date_and_a_duplicate_is_refused_keeping_the_form(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    leads.add_lead(db, NewLead.create(name="Ana Silva", email="ana@acme.com", now=NOW), NOW)
    dialog = window.quick_add()
    qtbot.keyClicks(dialog.name, "Someone Else")
    dialog.state.setCurrentIndex(2)  # Recycle
    assert dialog.until.isEnabled()
    assert "needs a date to come back" in dialog.problem.text()
    qtbot.keyClicks(dialog.until, "+3w")
    qtbot.keyClicks(dialog.email, "ANA@acme.com")
    assert ok_enabled(dialog)
    dialog.submit()
    qtbot.waitUntil(lambda: "already has the e-mail" in dialog.problem.text(), timeout=5000)
    assert dialog.isVisible()
    assert dialog.name.text() == "Someone Else"
    assert dialog.until.text() == "+3w"
    assert len(lead_queries.list_leads(db, ALL_STATES)) == 1
