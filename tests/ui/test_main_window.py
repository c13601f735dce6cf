"""The main window (offscreen): the board shows what the store holds, and keeps up."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.ui.ops import Operations
from tests.conftest import NOW
from tests.ui.cards import names, shown_window


def test_board_lists_leads_by_column_with_counts(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", company="Acme", now=NOW), NOW)
    add_lead(db, NewLead.create(name="李小龙", now=NOW), NOW)
    add_lead(db, NewLead.create(name="Émile Zola", state=State.WARM, now=NOW), NOW)
    add_lead(db, NewLead.create(name="Parked", state=State.RECYCLE, now=NOW,
                                recycle_until=NOW + timedelta(days=30)), NOW)  # fmt: skip

    window = shown_window(qtbot, ops)

    assert window.windowTitle() == "Followthrough"
    assert names(window, State.HOT) == ["Ana Silva", "李小龙"]
    assert names(window, State.WARM) == ["Émile Zola"]
    assert names(window, State.RECYCLE) == ["Parked"]
    assert window.columns["hot"].count.text() == "2"
    assert window.columns["hot"].title.accessibleName() == "Hot: 2 leads"
    assert window.columns["recycle"].view.accessibleName() == "Recycle leads"
    assert "4 leads" in window.board_count.text()
    # Cards are painted by the delegate, one uniform height.
    hot_view = window.columns["hot"].view
    assert hot_view.visualRect(hot_view.model().index(0, 0)).height() >= 70


def test_empty_board_says_how_to_start(qtbot: QtBot, ops: Operations) -> None:
    window = shown_window(qtbot, ops)
    assert all(column.model.rowCount() == 0 for column in window.columns.values())
    assert "No leads yet" in window.board_count.text()


def test_a_write_through_the_runner_refreshes_the_board(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    window = shown_window(qtbot, ops)
    with qtbot.waitSignal(window.board_loaded, timeout=5000):
        ops.run(lambda database: add_lead(database, NewLead.create(name="New", now=NOW), NOW),
                writes=True)  # fmt: skip
    assert names(window, State.HOT) == ["New"]


def test_search_filters_every_column_as_you_type(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", company="Acme", now=NOW), NOW)
    add_lead(db, NewLead.create(name="Émile Zola", company="Les Éditions", state=State.WARM,
                                tags=["acme-partner"], now=NOW), NOW)  # fmt: skip
    add_lead(db, NewLead.create(name="Bob", state=State.WARM, now=NOW), NOW)
    window = shown_window(qtbot, ops)
    assert window.findChild(type(window.search)) is window.search
    with qtbot.waitSignal(window.board_loaded, timeout=5000):
        qtbot.keyClicks(window.search, "ACME")
    assert names(window, State.HOT) == ["Ana Silva"]
    assert names(window, State.WARM) == ["Émile Zola"]  # matched by its tag
    assert window.board_count.text() == "2 of 3 on the board match"
    with qtbot.waitSignal(window.board_loaded, timeout=5000):
        window.search.clear()
    assert names(window, State.WARM) == ["Bob", "Émile Zola"]


def test_first_run_explains_the_columns_offers_the_sample_and_clears_it(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    window = shown_window(qtbot, ops)
    assert window.first_run.isVisible()
    assert not window.columns["hot"].isVisible()
    assert window.first_run.import_button.isVisible()
    with qtbot.waitSignal(window.first_run.sample_loaded, timeout=10_000):
        window.first_run.sample_button.click()
    qtbot.waitUntil(lambda: window.columns["hot"].isVisible(), timeout=5000)
    assert not window.first_run.isVisible()
    assert sum(c.model.total for c in window.columns.values()) >= 12
    assert window.menus["clear sample"].isEnabled()
    # A lead of the user's own, added while exploring, survives clearing the sample.
    with qtbot.waitSignal(window.board_loaded, timeout=5000):
        ops.run(lambda d: add_lead(d, NewLead.create(name="My Real Lead", now=NOW), NOW),
                writes=True)  # fmt: skip
    window.menus["clear sample"].trigger()
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert box.text() == "Remove the sample leads?"
    [remove] = [b for b in box.buttons() if b.text() == "&Remove"]
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: names(window, State.HOT) == ["My Real Lead"], timeout=5000)
    assert sum(c.model.total for c in window.columns.values()) == 1
    assert not window.menus["clear sample"].isEnabled()


def test_settings_open_from_the_keyboard(qtbot: QtBot, ops: Operations) -> None:
    from followthrough.ui.settings import SettingsDialog

    window = shown_window(qtbot, ops)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: any(d.isVisible() for d in window.findChildren(SettingsDialog)), timeout=5000
    )


def test_choosing_a_card_or_an_alert_shows_the_lead_in_the_panel(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", company="Acme", now=NOW), NOW)
    add_lead(db, NewLead.create(name="Bo Chen", state=State.WARM, now=NOW), NOW)
    window = shown_window(qtbot, ops)
    assert window.lead_panel.isVisible()
    warm = window.columns["warm"]
    with qtbot.waitSignal(window.lead_panel.loaded, timeout=5000):
        warm.view.setCurrentIndex(warm.model.index(0))
    assert window.lead_panel.fields["name"].text() == "Bo Chen"
    with qtbot.waitSignal(window.lead_panel.loaded, timeout=5000):
        window.select_lead(1)
    assert window.lead_panel.fields["company"].text() == "Acme"
    assert window.current_lead().name == "Ana Silva"  # type: ignore[union-attr]
    assert not warm.view.selectionModel().hasSelection()  # one selection on the board


def test_closing_keeps_the_app_in_the_tray_when_there_is_one(qtbot: QtBot, ops: Operations) -> None:
    window = shown_window(qtbot, ops)
    window.keep_running_in_tray = lambda: True
    with qtbot.waitSignal(window.hidden_to_tray, timeout=5000):
        assert not window.close()  # the close is declined: the window only hides
    assert not window.isVisible()
    window.bring_forward()
    assert window.isVisible()
    window.keep_running_in_tray = lambda: False
    assert window.close()  # no tray: closing the window closes it


def test_import_opens_from_the_first_run_and_from_the_file_menu(
    qtbot: QtBot, ops: Operations
) -> None:
    from followthrough.ui.transfer.import_dialog import ImportDialog

    window = shown_window(qtbot, ops)
    window.first_run.import_button.click()
    dialogs = window.findChildren(ImportDialog)
    assert [d.isVisible() for d in dialogs] == [True]
    dialogs[0].close()
    qtbot.waitUntil(lambda: not window.findChildren(ImportDialog), timeout=5000)

    assert window.menus["import"].shortcut().toString() == "Ctrl+I"
    window.menus["import"].trigger()

    assert [d.isVisible() for d in window.findChildren(ImportDialog)] == [True]
    window.findChildren(ImportDialog)[0].close()
