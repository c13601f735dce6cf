"""A damaged database at startup: explained, the newest good backup offered, nothing silent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.paths import DataPaths
from followthrough.services import backups
from followthrough.services.lead_queries import list_leads
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.ui.integrity_dialog import (
    DamagedDatabase,
    IntegrityDialog,
    resolve_damaged_database,
)
from followthrough.ui.main_window import MainWindow
from followthrough.ui.session import AppSession
from followthrough.ui.single_instance import SingleInstance
from followthrough.ui.timefmt import local_day
from tests.conftest import NOW

GARBAGE = b"scrambled" * 1000


@pytest.fixture
def damaged(data_paths: DataPaths) -> Iterator[DataPaths]:
    """A data folder with a good backup holding Ana, whose database was then scrambled."""
    db = Database.open(data_paths, NOW)
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    backups.make_backup(data_paths, "daily", NOW)
    db.close()
    data_paths.database.write_bytes(GARBAGE)
    return data_paths


Answer = Callable[[QWidget], bool]


@pytest.fixture
def answer() -> Iterator[Callable[[Answer], list[str]]]:
    """Answers the modal dialogs as they appear (they run their own loops), one per answer."""
    timers: list[QTimer] = []

    def start(*answers: Answer) -> list[str]:
        pending = list(answers)
        seen: list[str] = []

        def look() -> None:
            widget = QApplication.activeModalWidget()
            if widget is None or not pending or not widget.isVisible():
                return
            if isinstance(widget, IntegrityDialog):
                seen.append(f"{widget.text()}\n{widget.informativeText()}")
            if pending[0](widget):
                pending.pop(0)

        timer = QTimer(interval=20, timeout=look)
        timer.start()
        timers.append(timer)
        return seen

    yield start  # type: ignore[misc]
    for timer in timers:
        timer.stop()


def click(name: str) -> Answer:
    def press(widget: QWidget) -> bool:
        if not isinstance(widget, IntegrityDialog):
            return False
        button = getattr(widget, name)
        assert button is not None, f"the dialog has no {name}"
        button.click()
        return True

    return press


def _names(paths: DataPaths) -> list[str]:
    db = Database.open(paths, NOW)
    try:
        return [lead.name for lead in list_leads(db, now=NOW)]
    finally:
        db.close()


def test_restore_brings_the_data_back_and_keeps_the_damaged_bytes(
    qtbot: QtBot, damaged: DataPaths, answer: Callable[..., list[str]]
) -> None:
    [good] = backups.list_backups(damaged)
    seen = answer(click("restore_button"))
    assert resolve_damaged_database(damaged, "not a database") is True
    assert "cannot open its data" in seen[0]
    assert "not a Followthrough database" in seen[0]
    assert local_day(good.made_at) in seen[0]  # the backup named by its local date and time
    assert _names(damaged) == ["Ana Silva"]
    kept = [b for b in backups.list_backups(damaged) if b.path.read_bytes() == GARBAGE]
    assert [b.kind for b in kept] == ["pre-restore"]


def test_quit_and_escape_change_nothing(
    qtbot: QtBot, damaged: DataPaths, answer: Callable[..., list[str]]
) -> None:
    listing = sorted(p.name for p in damaged.root.rglob("*"))

    def escape(widget: QWidget) -> bool:
        if not isinstance(widget, IntegrityDialog):
            return False
        assert widget.defaultButton() is widget.quit_button  # Enter does not restore either
        qtbot.keyClick(widget, "\x1b")  # Esc
        return True

    answer(click("quit_button"), escape)
    assert resolve_damaged_database(damaged, "not a database") is False
    assert resolve_damaged_database(damaged, "not a database") is False
    assert damaged.database.read_bytes() == GARBAGE
    assert sorted(p.name for p in damaged.root.rglob("*")) == listing


def test_another_backup_can_be_chosen_and_a_bad_choice_is_explained(
    qtbot: QtBot, damaged: DataPaths, tmp_path: Path, answer: Callable[..., list[str]]
) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"junk" * 100)
    [good] = backups.list_backups(damaged)

    def pick(path: Path) -> Answer:
        def choose(widget: QWidget) -> bool:
            if not isinstance(widget, QFileDialog):
                return False
            # Typed, as a person would: selectFile() waits for the folder listing to load.
            name = widget.findChild(QLineEdit, "fileNameEdit")
            assert name is not None
            name.setText(str(path))
            widget.accept()
            return True

        return choose

    seen = answer(click("choose_button"), pick(junk), click("choose_button"), pick(good.path))
    assert resolve_damaged_database(damaged, "damaged: Page 3 is never used") is True
    assert "That backup could not be restored" in seen[1]
    assert damaged.database.read_bytes() != GARBAGE
    assert _names(damaged) == ["Ana Silva"]


def test_the_app_offers_the_backup_at_startup_and_goes_on_opening(
    qtbot: QtBot, damaged: DataPaths, answer: Callable[..., list[str]]
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    instance = SingleInstance(damaged.root)
    assert instance.acquire()
    answer(click("restore_button"))
    session = AppSession.open(damaged, window, app, instance, ask=True)
    try:
        qtbot.waitUntil(lambda: "Ana Silva" in _board_text(window), timeout=5000)
        assert session.restored
        assert damaged.database.read_bytes() != GARBAGE
    finally:
        session.close()
        instance.release()


@pytest.mark.parametrize("early", [False, True], ids=["checked-on-open", "checked-early"])
def test_without_asking_the_start_stops_and_says_how_to_repair(
    qtbot: QtBot, damaged: DataPaths, early: bool
) -> None:
    from followthrough.store.integrity import quick_check_soon

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow()
    qtbot.addWidget(window)
    instance = SingleInstance(damaged.root)
    assert instance.acquire()
    try:
        # The app starts the check before importing the database layer (app.py).
        checked = quick_check_soon(damaged.database) if early else None
        with pytest.raises(DamagedDatabase) as stopped:
            AppSession.open(damaged, window, app, instance, checked=checked)
    finally:
        instance.release()
    assert not stopped.value.explained
    assert "followthrough restore" in str(stopped.value)
    assert damaged.database.read_bytes() == GARBAGE


def _board_text(window: MainWindow) -> str:
    names: list[str] = []
    for column in window.columns.values():
        model = column.model
        names.extend(str(model.data(model.index(row))) for row in range(model.rowCount()))
    return " ".join(names)


def test_an_old_backup_is_still_offered_when_newer_ones_are_broken(
    qtbot: QtBot, damaged: DataPaths, answer: Callable[..., list[str]]
) -> None:
    later = damaged.backups / "manual-20261124T100000Z.sqlite3"
    later.write_bytes(b"broken" * 100)
    [_, good] = backups.list_backups(damaged)
    assert good.made_at < NOW + timedelta(days=1)
    seen = answer(click("restore_button"))
    assert resolve_damaged_database(damaged, "not a database") is True
    assert local_day(good.made_at) in seen[0]
