"""The Archive window (offscreen): won and lost leads, search, and Reopen with the mouse."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.services.archive import PAGE
from followthrough.services.lead_queries import get_lead
from followthrough.services.leads import add_lead, move_lead
from followthrough.store.db import Database
from followthrough.ui.actions import LeadActions
from followthrough.ui.archive.dialog import ArchiveDialog
from followthrough.ui.archive.model import ArchiveColumn
from followthrough.ui.changes import EVERYTHING
from followthrough.ui.ops import Operations
from tests.conftest import NOW


def close_lead(
    db: Database, name: str, state: State, days_ago: float, reason: str | None = None, **more: str
) -> int:
    arrived = NOW - timedelta(days=90)
    lead = add_lead(db, NewLead.create(name=name, now=arrived, **more), NOW, at=arrived)
    move_lead(db, lead.id, state, reason=reason, at=NOW - timedelta(days=days_ago), now=NOW)
    return lead.id


@pytest.fixture
def archive(db: Database) -> dict[str, int]:
    """Two lost leads and one won (with reasons), and one lead still on the board."""
    return {
        "Ana Silva": close_lead(db, "Ana Silva", State.WON, 3, "Signed the pilot", company="Acme"),
        "Émile Zola": close_lead(
            db, "Émile Zola", State.LOST, 5, "Chose a competitor", company="Éclair SAS"
        ),
        "Bo Chen": close_lead(db, "Bo Chen", State.LOST, 10),
        "On Board": add_lead(db, NewLead.create(name="On Board", now=NOW), NOW).id,
    }


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    """Stands for the main window: the dialog's parent, kept alive by the test."""
    host = QWidget()
    qtbot.addWidget(host)
    return host


def open_dialog(qtbot: QtBot, ops: Operations, window: QWidget) -> ArchiveDialog:
    dialog = ArchiveDialog(ops, LeadActions(ops, window), window)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        dialog.present()
    qtbot.waitExposed(dialog)
    return dialog


def rows(dialog: ArchiveDialog) -> list[list[str]]:
    model = dialog.view.model()
    return [
        [model.index(row, column).data() for column in ArchiveColumn]
        for row in range(model.rowCount())
    ]


def names(dialog: ArchiveDialog) -> list[str]:
    return [row[ArchiveColumn.NAME] for row in rows(dialog)]


def click_row(dialog: ArchiveDialog, name: str, double: bool = False) -> None:
    view = dialog.view
    index = view.model().index(names(dialog).index(name), ArchiveColumn.NAME)
    click = QTest.mouseDClick if double else QTest.mouseClick
    click(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def state_of(db: Database, lead_id: int) -> State:
    return get_lead(db, lead_id).lead.state


@pytest.mark.usefixtures("archive")
def test_lists_won_and_lost_newest_first_with_dates_reasons_and_counts(
    qtbot: QtBot, ops: Operations, window: QWidget
) -> None:
    dialog = open_dialog(qtbot, ops, window)

    assert dialog.windowTitle() == "Archive"
    assert not dialog.isModal()
    header = dialog.view.model()
    assert [header.headerData(c, Qt.Orientation.Horizontal) for c in ArchiveColumn] == [
        "Name", "Company", "Outcome", "Since", "Reason"]  # fmt: skip
    # Local dates (Paris); the test clock's "now" is Monday 23 Nov 2026, 11:00 local.
    assert rows(dialog) == [
        ["Ana Silva", "Acme", "Won", "Fri 20 Nov 2026", "Signed the pilot"],
        ["Émile Zola", "Éclair SAS", "Lost", "Wed 18 Nov 2026", "Chose a competitor"],
        ["Bo Chen", "", "Lost", "Fri 13 Nov 2026", ""],
    ]
    assert dialog.counts.text() == "1 won · 2 lost"
    assert dialog.view.isVisible()
    assert not dialog.empty.isVisible()
    assert not dialog.reopen_button.isEnabled()  # nothing chosen yet
    assert dialog.reopen_to.currentText() == "Warm"


def test_clicking_a_row_then_reopen_puts_the_lead_back_in_warm(
    qtbot: QtBot, db: Database, ops: Operations, window: QWidget, archive: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, ops, window)
    click_row(dialog, "Émile Zola")
    assert dialog.reopen_button.isEnabled()

    with qtbot.waitSignal(dialog.reopened, timeout=5000) as landed:
        QTest.mouseClick(dialog.reopen_button, Qt.MouseButton.LeftButton)

    emile = archive["Émile Zola"]
    assert landed.args == [emile]
    assert state_of(db, emile) is State.WARM
    qtbot.waitUntil(lambda: names(dialog) == ["Ana Silva", "Bo Chen"], timeout=5000)
    assert dialog.counts.text() == "1 won · 1 lost"
    assert dialog.status.text() == "Émile Zola is back in Warm."
    assert not dialog.reopen_button.isEnabled()  # the chosen row is gone
    # On the window's undo stack like any move: Undo takes it back to Lost.
    stack = dialog.lead_actions.stack
    assert stack.undoText() == "Move Émile Zola to Warm"
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        stack.undo()
    assert state_of(db, emile) is State.LOST
    assert "Émile Zola" in names(dialog)


def test_reopen_can_put_a_lead_back_in_hot(
    qtbot: QtBot, db: Database, ops: Operations, window: QWidget, archive: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, ops, window)
    click_row(dialog, "Ana Silva")
    dialog.reopen_to.setFocus()
    QTest.keyClick(dialog.reopen_to, Qt.Key.Key_Down)
    assert dialog.reopen_to.currentText() == "Hot"

    with qtbot.waitSignal(dialog.reopened, timeout=5000):
        QTest.mouseClick(dialog.reopen_button, Qt.MouseButton.LeftButton)

    assert state_of(db, archive["Ana Silva"]) is State.HOT
    qtbot.waitUntil(lambda: "Ana Silva" not in names(dialog), timeout=5000)
    assert dialog.counts.text() == "0 won · 2 lost"


def test_a_double_click_only_selects(
    qtbot: QtBot, db: Database, ops: Operations, window: QWidget, archive: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, ops, window)
    click_row(dialog, "Bo Chen", double=True)

    assert dialog.selected() is not None
    assert dialog.selected().lead.name == "Bo Chen"  # type: ignore[union-attr]
    assert not ops.busy  # nothing was asked of the database
    assert state_of(db, archive["Bo Chen"]) is State.LOST
    assert names(dialog) == ["Ana Silva", "Émile Zola", "Bo Chen"]


@pytest.mark.usefixtures("archive")
def test_search_filters_as_you_type_and_escape_clears_it(
    qtbot: QtBot, ops: Operations, window: QWidget
) -> None:
    dialog = open_dialog(qtbot, ops, window)
    dialog.search.setFocus()

    qtbot.keyClicks(dialog.search, "ÉCLAIR")
    qtbot.waitUntil(lambda: names(dialog) == ["Émile Zola"], timeout=5000)
    assert dialog.counts.text() == "0 won · 1 lost"

    qtbot.keyClicks(dialog.search, " nobody")
    qtbot.waitUntil(lambda: dialog.empty.isVisible(), timeout=5000)
    assert dialog.empty.text() == "No matches"
    assert not dialog.view.isVisible()

    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        QTest.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert dialog.search.text() == ""
    assert dialog.isVisible()  # the first Escape only cleared the search
    assert names(dialog) == ["Ana Silva", "Émile Zola", "Bo Chen"]
    assert dialog.counts.text() == "1 won · 2 lost"

    QTest.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert not dialog.isVisible()  # on an empty search, Escape closes the window


def test_an_empty_archive_says_so(
    qtbot: QtBot, db: Database, ops: Operations, window: QWidget
) -> None:
    add_lead(db, NewLead.create(name="On Board", now=NOW), NOW)
    dialog = open_dialog(qtbot, ops, window)
    assert dialog.empty.isVisible()
    assert dialog.empty.text() == "Nothing won or lost yet"
    assert not dialog.view.isVisible()
    assert dialog.counts.text() == ""
    assert not dialog.reopen_button.isEnabled()


def test_a_change_elsewhere_shows_up_and_the_choice_is_kept(
    qtbot: QtBot, db: Database, ops: Operations, window: QWidget, archive: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, ops, window)
    click_row(dialog, "Bo Chen")
    on_board = archive["On Board"]

    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        ops.run(lambda database: move_lead(database, on_board, State.WON, reason="Paid"),
                writes=True)  # fmt: skip

    newest = rows(dialog)[0]
    assert [newest[ArchiveColumn.NAME], newest[ArchiveColumn.OUTCOME], newest[ArchiveColumn.REASON]
            ] == ["On Board", "Won", "Paid"]  # fmt: skip
    assert dialog.counts.text() == "2 won · 2 lost"
    assert dialog.selected().lead.name == "Bo Chen"  # type: ignore[union-attr]


def test_results_arriving_after_closing_are_dropped(
    qtbot: QtBot, db: Database, ops: Operations, window: QWidget
) -> None:
    close_lead(db, "Ana Silva", State.WON, 3)
    dialog = open_dialog(qtbot, ops, window)
    close_lead(db, "Bo Chen", State.LOST, 1)

    dialog.refresh()  # a read is on its way...
    dialog.reject()  # ...and the window closes before it lands
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)

    assert names(dialog) == ["Ana Silva"]
    assert dialog.counts.text() == "1 won · 0 lost"
    ops.announce(EVERYTHING)  # closed: a change elsewhere reads nothing
    assert not ops.busy


def test_results_arriving_after_the_window_was_deleted_are_dropped(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    close_lead(db, "Ana Silva", State.WON, 3)
    main_window = QWidget()  # not the fixture's: this one is deleted by the test itself
    dialog = open_dialog(qtbot, ops, main_window)

    dialog.refresh()  # a read is on its way...
    shiboken6.delete(main_window)  # ...and the main window goes, taking the dialog with it
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)  # no error from the late result

    assert not shiboken6.isValid(dialog)
    ops.announce(EVERYTHING)  # the deleted dialog is no longer listening
    assert not ops.busy


def test_scrolling_down_loads_the_next_page(
    qtbot: QtBot, db: Database, ops: Operations, window: QWidget
) -> None:
    for n in range(PAGE + 5):
        close_lead(db, f"Lead {n:03d}", State.LOST, days_ago=200 - n)
    dialog = open_dialog(qtbot, ops, window)
    assert dialog.view.model().rowCount() == PAGE
    assert dialog.counts.text() == f"0 won · {PAGE + 5} lost"

    dialog.view.scrollToBottom()

    qtbot.waitUntil(lambda: dialog.view.model().rowCount() == PAGE + 5, timeout=5000)
    assert names(dialog)[-1] == "Lead 000"
