"""File › Backups…: the list, a backup on demand, and a confirmed restore the app sees at once."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.paths import DataPaths
from followthrough.services import backups
from followthrough.services.lead_queries import list_leads
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.ui.backups_dialog import BackupsDialog
from followthrough.ui.changes import EVERYTHING
from followthrough.ui.ops import Operations
from followthrough.ui.settings import SettingsDialog
from followthrough.ui.timefmt import local_day
from tests.conftest import NOW


def _open(qtbot: QtBot, ops: Operations, restored: list[str] | None = None) -> BackupsDialog:
    calls = restored if restored is not None else []
    dialog = BackupsDialog(ops, on_restored=lambda: calls.append("reopened"))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.listed, timeout=5000):
        dialog.show()
    return dialog


def _rows(dialog: BackupsDialog) -> list[list[str]]:
    table = dialog.table
    return [
        [item.text(column) for column in range(3)]
        for item in (table.topLevelItem(row) for row in range(table.topLevelItemCount()))
        if item is not None
    ]


def test_the_list_shows_local_time_kind_and_size_and_back_up_now_adds_one(
    qtbot: QtBot, ops: Operations, data_paths: DataPaths
) -> None:
    made = backups.make_backup(data_paths, "daily", NOW - timedelta(days=1))
    dialog = _open(qtbot, ops)
    size = f"{made.stat().st_size // 1024} KB"
    assert _rows(dialog) == [[local_day(NOW - timedelta(days=1)), "Daily", size]]
    assert not dialog.empty.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.listed, timeout=5000):
        dialog.back_up_button.click()
    rows = _rows(dialog)
    assert len(rows) == 2
    assert rows[0][1] == "Made by hand"
    assert "Backed up to manual-" in dialog.status.text()


def test_an_empty_folder_says_when_backups_come(qtbot: QtBot, ops: Operations) -> None:
    dialog = _open(qtbot, ops)
    assert _rows(dialog) == []
    assert dialog.empty.isVisibleTo(dialog)
    assert not dialog.restore_button.isEnabled()


def test_restore_asks_first_then_the_open_app_reads_the_restored_data(
    qtbot: QtBot, ops: Operations, db: Database, data_paths: DataPaths
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    backups.make_backup(data_paths, "manual", NOW)
    add_lead(db, NewLead.create(name="Bo Chen", now=NOW), NOW)
    restored: list[str] = []
    dialog = _open(qtbot, ops, restored)

    box = dialog.ask_restore()
    assert box is not None
    assert "current data is saved as a backup first" in box.informativeText()
    assert box.defaultButton() is not dialog.confirm_button  # Enter does not replace the data
    box.reject()  # Cancel: nothing happens
    assert sorted(lead.name for lead in list_leads(db, now=NOW)) == ["Ana Silva", "Bo Chen"]

    box = dialog.ask_restore()
    assert isinstance(box, QMessageBox)
    assert dialog.confirm_button is not None
    with qtbot.waitSignals([ops.changed, dialog.restored], timeout=5000):
        dialog.confirm_button.click()
    # The same engine, still open, sees the restored file: no reopening needed.
    assert [lead.name for lead in list_leads(db, now=NOW)] == ["Ana Silva"]
    assert restored == ["reopened"]
    assert "previous data is saved as pre-restore-" in dialog.status.text()
    qtbot.waitUntil(lambda: any(row[1] == "Before a restore" for row in _rows(dialog)))


def test_a_backup_that_fails_its_check_is_refused_in_the_dialog(
    qtbot: QtBot, ops: Operations, db: Database, data_paths: DataPaths
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    made = backups.make_backup(data_paths, "manual", NOW)
    dialog = _open(qtbot, ops)
    made.write_bytes(b"scrambled" * 1000)
    assert dialog.ask_restore() is not None
    assert dialog.confirm_button is not None
    with qtbot.waitSignal(dialog.failed, timeout=5000):
        dialog.confirm_button.click()
    assert "not a Followthrough database" in dialog.status.text()
    assert [lead.name for lead in list_leads(db, now=NOW)] == ["Ana Silva"]


def test_the_data_tab_keeps_the_backup_counts(qtbot: QtBot, ops: Operations, db: Database) -> None:
    settings = SettingsDialog(ops)
    qtbot.addWidget(settings)
    with qtbot.waitSignals([settings.loaded, settings.data.retention_loaded], timeout=5000):
        settings.show()
    page = settings.data
    assert (page.keep_daily.value(), page.keep_weekly.value()) == (7, 4)
    assert page.keep_daily.accessibleName() == "Keep daily backups"
    with qtbot.waitSignal(page.retention_saved, timeout=5000):
        page.keep_daily.setValue(3)
    with qtbot.waitSignal(page.retention_saved, timeout=5000):
        page.keep_weekly.setValue(0)
    assert backups.get_retention(db) == backups.Retention(3, 0)
    assert page.keep_weekly.minimum() == 0
    assert page.keep_daily.maximum() == 60
    page.open_backups.click()
    assert page.backups_dialog is not None
    qtbot.waitUntil(lambda: page.backups_dialog is not None and page.backups_dialog.isVisible())
    page.backups_dialog.close()


def test_a_restore_that_ends_after_the_dialog_closed_is_said_in_the_window(
    qtbot: QtBot, ops: Operations, db: Database, data_paths: DataPaths
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    made = backups.make_backup(data_paths, "manual", NOW)
    restored: list[str] = []
    dialog = _open(qtbot, ops, restored)
    made.write_bytes(b"scrambled" * 1000)
    assert dialog.ask_restore() is not None
    assert dialog.confirm_button is not None
    said: list[str] = []
    dialog.failed.connect(said.append)
    with qtbot.waitSignal(ops.failed, timeout=5000) as failed:
        dialog.confirm_button.click()
        dialog.close()  # before the answer: the dialog no longer shows it, the window does
    assert "not a Followthrough database" in str(failed.args[0])
    assert said == []
    assert restored == []


def test_a_restore_finished_after_the_dialog_closed_still_clears_what_it_made_stale(
    qtbot: QtBot, ops: Operations, db: Database, data_paths: DataPaths
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    backups.make_backup(data_paths, "manual", NOW)
    restored: list[str] = []
    dialog = _open(qtbot, ops, restored)
    shown: list[str] = []
    dialog.restored.connect(shown.append)
    assert dialog.ask_restore() is not None
    assert dialog.confirm_button is not None
    with qtbot.waitSignal(ops.changed, timeout=5000) as changed:
        dialog.confirm_button.click()
        dialog.close()
    assert changed.args == [EVERYTHING]  # the whole file was replaced
    assert restored == ["reopened"]  # the undo stack is cleared all the same
    assert shown == []  # the closed dialog shows nothing
