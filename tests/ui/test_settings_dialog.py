"""Settings: stored values shown, edits saved on OK / Apply, refusals explained in place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTime, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.policy import Policy
from followthrough.domain.preferences import Preferences
from followthrough.domain.signals import SignalKind
from followthrough.paths import DataPaths, default_data_dir, resolve_data_dir, saved_data_dir
from followthrough.services import alerts, lead_queries, leads
from followthrough.services.policy import get_policy, update_policy
from followthrough.services.preferences import get_preferences, update_preferences
from followthrough.store.db import Database
from followthrough.ui.changes import POLICY, SETTINGS
from followthrough.ui.ops import Operations
from followthrough.ui.settings import SettingsDialog


@pytest.fixture(autouse=True)
def config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    # The folder choice is written to the config folder: never the developer's own.
    home = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


OpenDialog = Callable[[], SettingsDialog]


@pytest.fixture
def open_dialog(qtbot: QtBot, ops: Operations) -> OpenDialog:
    """Opens the dialog once what it shows has been read (from the worker, as in the app)."""

    def open_() -> SettingsDialog:
        dialog = SettingsDialog(ops)
        qtbot.addWidget(dialog)
        with qtbot.waitSignals([dialog.loaded, dialog.data.location_loaded], timeout=5000):
            dialog.show()
        return dialog

    return open_


def test_opening_shows_the_stored_values(open_dialog: OpenDialog, db: Database) -> None:
    update_policy(db, {"hot_silence_days": 4, "guard_touches": 5})
    update_preferences(
        db, {"work_start": "08:30", "work_days": ["mon", "tue"], "sender_name": "Ana Silva"}
    )
    dialog = open_dialog()
    spins = dialog.follow_up.spins
    assert spins["hot_silence_days"].value() == 4
    assert spins["hot_silence_days"].suffix() == " days"
    assert spins["guard_touches"].value() == 5
    assert spins["warm_silence_days"].value() == Policy().warm_silence_days
    assert dialog.notifications.work_start.time() == QTime(8, 30)
    assert dialog.notifications.work_end.time() == QTime(18, 0)
    checked = [day for day, box in dialog.notifications.days.items() if box.isChecked()]
    assert checked == ["mon", "tue"]
    assert dialog.drafts.sender_name.text() == "Ana Silva"
    assert dialog.ok_button.isEnabled()


def test_a_shorter_hot_window_is_saved_on_ok_and_plans_the_lead_again(
    qtbot: QtBot, open_dialog: OpenDialog, db: Database, ops: Operations
) -> None:
    now = datetime.now(UTC)
    lead = leads.add_lead(db, NewLead.create(name="Ana Silva", now=now, next_step="Pilot"), now)
    sent = now - timedelta(hours=12)
    leads.log_event(db, lead.id, SignalKind.SENT, at=sent, now=now)
    alerts.tick(db, now)
    [before] = lead_queries.list_leads(db)
    assert before.next_check_at == sent + timedelta(days=Policy().hot_silence_days)

    dialog = open_dialog()
    spin = dialog.follow_up.spins["hot_silence_days"]
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    with (
        qtbot.waitSignal(dialog.applied, timeout=5000),
        qtbot.waitSignal(ops.changed, timeout=5000) as told,
    ):
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert told.args == [POLICY]  # the rules alone: no preference was changed
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert get_policy(db) == Policy(hot_silence_days=3)
    alerts.tick(db, datetime.now(UTC))
    [after] = lead_queries.list_leads(db)
    assert after.next_check_at == sent + timedelta(days=3)


def test_working_hours_are_saved_on_apply_and_the_dialog_stays(
    qtbot: QtBot, open_dialog: OpenDialog, db: Database, ops: Operations
) -> None:
    dialog = open_dialog()
    dialog.notifications.work_start.setTime(QTime(7, 45))
    dialog.notifications.work_end.setTime(QTime(16, 0))
    dialog.notifications.days["sat"].setChecked(True)
    with (
        qtbot.waitSignal(dialog.applied, timeout=5000),
        qtbot.waitSignal(ops.changed, timeout=5000) as told,
    ):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert told.args == [SETTINGS]  # preferences alone: the board need not read again
    assert dialog.isVisible()
    prefs = get_preferences(db)
    assert (prefs.work_start, prefs.work_end) == ("07:45", "16:00")
    assert prefs.work_days == ("mon", "tue", "wed", "thu", "fri", "sat")
    assert get_policy(db) == Policy()  # untouched numbers are not rewritten


def test_hours_that_end_before_they_start_are_refused_in_place_keeping_everything(
    qtbot: QtBot, open_dialog: OpenDialog, db: Database
) -> None:
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.drafts)
    qtbot.keyClicks(dialog.drafts.sender_name, "Ana Silva")
    dialog.notifications.work_start.setTime(QTime(10, 0))
    dialog.notifications.work_end.setTime(QTime(9, 0))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.tabs.currentWidget() is dialog.notifications
    problem = dialog.notifications.problem_text("work_end")
    assert problem == "Working hours must end after they start."
    assert dialog.notifications.findChild(QLabel, "problem_work_end").isVisible()
    assert dialog.notifications.work_end.time() == QTime(9, 0)
    assert dialog.drafts.sender_name.text() == "Ana Silva"
    assert get_preferences(db) == Preferences()

    dialog.notifications.work_end.setTime(QTime(17, 0))
    with qtbot.waitSignal(dialog.applied, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert dialog.notifications.problem_text("work_end") == ""
    prefs = get_preferences(db)
    assert (prefs.work_start, prefs.work_end, prefs.sender_name) == ("10:00", "17:00", "Ana Silva")


def test_restore_defaults_puts_back_the_method_numbers(
    qtbot: QtBot, open_dialog: OpenDialog, db: Database
) -> None:
    update_policy(db, {"hot_silence_days": 5, "guard_touches": 6, "outcome_days": 1.5})
    dialog = open_dialog()
    assert dialog.follow_up.spins["outcome_days"].value() == 1.5
    qtbot.mouseClick(dialog.follow_up.restore, Qt.MouseButton.LeftButton)
    assert dialog.follow_up.spins["hot_silence_days"].value() == Policy().hot_silence_days
    assert get_policy(db).hot_silence_days == 5  # nothing saved before OK
    with qtbot.waitSignal(dialog.applied, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert get_policy(db) == Policy()


def test_cancel_saves_nothing(qtbot: QtBot, open_dialog: OpenDialog, db: Database) -> None:
    dialog = open_dialog()
    dialog.follow_up.spins["guard_touches"].setValue(9)
    qtbot.keyClicks(dialog.drafts.sender_name, "Ana Silva")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert get_policy(db) == Policy()
    assert get_preferences(db) == Preferences()


def test_the_data_tab_shows_the_real_database_and_opens_its_folder(
    qtbot: QtBot, open_dialog: OpenDialog, data_paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    # The file manager is the desktop's business; what we owe is the right folder.
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.data)
    assert dialog.data.path.text() == str(data_paths.database)
    assert dialog.data.path.isReadOnly()
    assert dialog.data.next_start.text() == (
        f"Your data is in {data_paths.root}. From the next start: {default_data_dir()}."
    )
    assert not dialog.data.use_default.isEnabled()
    qtbot.mouseClick(dialog.data.open_folder, Qt.MouseButton.LeftButton)
    assert [Path(url.toLocalFile()) for url in opened] == [data_paths.root]


def test_another_folder_is_remembered_for_the_next_start_and_can_be_forgotten(
    qtbot: QtBot, open_dialog: OpenDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The system's folder picker stands in for the person choosing a folder.
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(elsewhere))
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.data)
    with qtbot.waitSignal(dialog.data.location_saved, timeout=5000):
        qtbot.mouseClick(dialog.data.use_other, Qt.MouseButton.LeftButton)
    assert saved_data_dir() == elsewhere
    assert resolve_data_dir(None, {}) == elsewhere
    assert "next start" in dialog.data.note.text()
    assert str(elsewhere) in dialog.data.next_start.text()
    assert dialog.data.use_default.isEnabled()

    with qtbot.waitSignal(dialog.data.location_saved, timeout=5000):
        qtbot.mouseClick(dialog.data.use_default, Qt.MouseButton.LeftButton)
    assert saved_data_dir() is None
    assert resolve_data_dir(None, {}) == default_data_dir()
    assert str(default_data_dir()) in dialog.data.next_start.text()


def test_a_folder_that_cannot_hold_the_data_is_refused_in_place(
    qtbot: QtBot, open_dialog: OpenDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("my notes")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(not_a_folder))
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.data)
    qtbot.mouseClick(dialog.data.use_other, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.data.problem_text("data_dir") != "", timeout=5000)
    assert "is a file, not a folder" in dialog.data.problem_text("data_dir")
    assert saved_data_dir() is None
    assert dialog.data.use_other.isEnabled()
