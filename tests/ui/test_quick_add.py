"""Ctrl+N: why OK waits, beside the field to fix; the due time as read; nothing cut or lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import ALL_STATES
from followthrough.services import lead_queries, leads
from followthrough.store.db import Database
from followthrough.ui.fitting import text_width
from followthrough.ui.lead.quick_add import QuickAddDialog
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.timefmt import local_day
from tests.conftest import NOW


@pytest.fixture
def dialog(qtbot: QtBot, ops: Operations) -> QuickAddDialog:
    shown = QuickAddDialog(ops, clock=lambda: NOW)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


@pytest.fixture
def window(qtbot: QtBot, ops: Operations) -> MainWindow:
    win = MainWindow(ops)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.board_loaded, timeout=5000):
        win.show()
    return win


def ok_enabled(dialog: object) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()  # type: ignore[attr-defined]


def test_ctrl_n_adds_a_lead_that_appears_selected(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    assert window.menus["add"].shortcut().toString() == "Ctrl+N"
    dialog = window.quick_add()
    assert not ok_enabled(dialog)
    qtbot.keyClicks(dialog.name, "Ana Silva")
    qtbot.keyClicks(dialog.email, "ana@acme")
    assert dialog.note_text("email") == "'ana@acme' is not a valid e-mail address."
    assert not ok_enabled(dialog)
    qtbot.keyClicks(dialog.email, ".com")
    qtbot.keyClicks(dialog.next_step, "Send the pilot plan")
    qtbot.keyClicks(dialog.due, "someday")
    assert dialog.note_text("due").startswith("Cannot read 'someday'")
    dialog.due.clear()
    qtbot.keyClicks(dialog.due, "tomorrow")
    assert dialog.note_text("due").startswith("→ ")
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
    assert "needs a date to come back" in dialog.note_text("until")
    qtbot.keyClicks(dialog.until, "+3w")
    qtbot.keyClicks(dialog.email, "ANA@acme.com")
    assert ok_enabled(dialog)
    dialog.submit()
    qtbot.waitUntil(lambda: "already has the e-mail" in dialog.problem.text(), timeout=5000)
    assert dialog.isVisible()
    assert dialog.name.text() == "Someone Else"
    assert dialog.until.text() == "+3w"
    assert len(lead_queries.list_leads(db, ALL_STATES)) == 1


def type_into(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    """Click into the field, select what is there, and type over it."""
    QTest.mouseClick(field, Qt.MouseButton.LeftButton)
    field.selectAll()
    if not text:
        qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Open the combo with the mouse and click the item."""
    QTest.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    where = view.visualRect(view.model().index(combo.findText(text), 0)).center()

    def clicked() -> bool:
        # The popup ignores a release that comes within a double-click time of opening (the
        # click that opened it): click again until it takes it, as a person would.
        if view.isVisible():
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        return combo.currentText() == text and not view.isVisible()

    qtbot.waitUntil(clicked, timeout=3000)


def below(dialog: QuickAddDialog, field: str) -> bool:
    """The note is shown right under its field, in the field's column."""
    note, widget = dialog.notes[field], dialog.fields[field]
    return (
        note.isVisible()
        and note.geometry().top() >= widget.geometry().bottom()
        and note.geometry().left() == widget.geometry().left()
        and dialog.form.getWidgetPosition(note)[0] == dialog.form.getWidgetPosition(widget)[0] + 1
    )


def test_a_disabled_ok_says_why_beside_the_field(qtbot: QtBot, dialog: QuickAddDialog) -> None:
    assert not ok_enabled(dialog)
    assert dialog.note_text("name") == "The name is empty."
    assert below(dialog, "name")
    type_into(qtbot, dialog.name, "Ana Silva")
    assert ok_enabled(dialog)
    assert not dialog.notes["name"].isVisible()

    type_into(qtbot, dialog.email, "ana@acme")
    assert dialog.note_text("email") == "'ana@acme' is not a valid e-mail address."
    assert below(dialog, "email")
    assert dialog.email.accessibleDescription() == dialog.note_text("email")
    assert not ok_enabled(dialog)
    assert "#b3261e" in dialog.notes["email"].styleSheet()  # the problem red for light windows
    dark = QPalette(dialog.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dialog.setPalette(dark)  # a switch to a dark theme: a red that reads on it
    assert "#ff8a80" in dialog.notes["email"].styleSheet()
    type_into(qtbot, dialog.name, "")  # two fields wrong: both say so
    assert dialog.note_text("name") == "The name is empty."
    assert dialog.note_text("email") != ""
    type_into(qtbot, dialog.name, "Ana Silva")
    qtbot.keyClicks(dialog.email, ".com")
    assert dialog.note_text("email") == ""
    assert ok_enabled(dialog)

    type_into(qtbot, dialog.due, "fri")  # a rule across fields: beside the field it names
    assert dialog.note_text("due") == "A due time needs a next step."
    assert below(dialog, "due")
    assert not ok_enabled(dialog)
    assert dialog.problem.text() == ""


def test_the_due_field_shows_the_time_it_read(qtbot: QtBot, dialog: QuickAddDialog) -> None:
    type_into(qtbot, dialog.name, "Ana Silva")
    type_into(qtbot, dialog.next_step, "Send the pilot plan")
    type_into(qtbot, dialog.due, "fri")
    friday = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 09:00 in Paris
    assert dialog.note_text("due") == f"→ {local_day(friday)}"
    assert dialog.note_text("due").startswith("→ Fri 27 Nov")
    assert below(dialog, "due")
    assert ok_enabled(dialog)
    type_into(qtbot, dialog.due, "someday")
    assert dialog.note_text("due").startswith("Cannot read 'someday' as a time (try ")
    assert not ok_enabled(dialog)
    type_into(qtbot, dialog.due, "")
    assert dialog.note_text("due") == ""
    assert ok_enabled(dialog)


def test_recycle_asks_for_its_date_and_nothing_typed_is_lost(
    qtbot: QtBot, dialog: QuickAddDialog
) -> None:
    type_into(qtbot, dialog.name, "Ana Silva")
    type_into(qtbot, dialog.until, "+1mo")  # disabled while the lead is Hot: nothing typed
    assert dialog.until.text() == ""
    choose(qtbot, dialog.state, "Recycle")
    assert dialog.until.isEnabled()
    assert "needs a date to come back" in dialog.note_text("until")
    assert below(dialog, "until")
    assert not ok_enabled(dialog)
    type_into(qtbot, dialog.until, "+1mo")
    assert dialog.note_text("until") == f"→ {local_day(datetime(2026, 12, 23, 8, 0, tzinfo=UTC))}"
    type_into(qtbot, dialog.reason, "Budget in spring")
    choose(qtbot, dialog.state, "Hot")
    choose(qtbot, dialog.state, "Recycle")
    assert (dialog.until.text(), dialog.reason.text()) == ("+1mo", "Budget in spring")
    assert ok_enabled(dialog)


def test_fields_show_their_whole_placeholder_and_messages_wrap(
    qtbot: QtBot, dialog: QuickAddDialog
) -> None:
    for line in dialog.findChildren(QLineEdit):
        placeholder = line.placeholderText()
        assert placeholder, line.accessibleName()
        needed = line.fontMetrics().horizontalAdvance(placeholder)
        margins = line.textMargins().left() + line.textMargins().right()
        assert line.width() >= needed + margins, line.accessibleName()
        assert text_width(line) >= needed, line.accessibleName()  # inside the frame, too
    type_into(qtbot, dialog.due, "someday")  # the longest message: what would work
    qtbot.waitUntil(lambda: dialog.notes["due"].isVisible(), timeout=2000)
    for label in [*dialog.notes.values(), dialog.problem]:
        assert label.wordWrap()
    note = dialog.notes["due"]
    qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()), timeout=2000)
    assert dialog.rect().contains(note.geometry())
    assert note.fontMetrics().horizontalAdvance(note.text()) > note.width()  # it did wrap


def test_the_same_bounds_as_the_cli_beside_each_field(qtbot: QtBot, dialog: QuickAddDialog) -> None:
    # Hardening: the dialog asks the domain, so what the CLI refuses it refuses too, in
    # place, and keeps what was typed (Europe/Paris: 02:30 on 29 March 2026 does not exist).
    # Pasted, as such text arrives (QTest cannot type a character outside Latin-1).
    dialog.name.insert("Bob\u202eevil")
    assert dialog.note_text("name") == "The name contains a text-direction control (U+202E)."
    assert not ok_enabled(dialog)
    qtbot.keyClicks(dialog.next_step, "Call")
    for typed, said in (
        ("1969-12-31", "A date must fall between 1970 and 2199, not in the year 1969"),
        ("2026-03-29 02:30", "02:30 on Sun 29 Mar 2026 does not exist: the clocks go forward"),
    ):
        dialog.due.clear()
        qtbot.keyClicks(dialog.due, typed)
        assert dialog.note_text("due").startswith(said), dialog.note_text("due")
        assert dialog.due.text() == typed
    assert dialog.name.text() == "Bob\u202eevil"
