"""Errors always reach the person: a busy database in the status bar, a bug in a short box
with its traceback in the log file, and Help › Open log folder to find it.

The busy database is real: a second SQLite connection holds the write lock while the window
tries to write, with the busy timeout shortened so the wait is short.
"""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from followthrough import __version__, logfile
from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.errors import DatabaseBusy, FollowthroughError
from followthrough.services import leads
from followthrough.store import db as store_db
from followthrough.store.db import Database
from followthrough.ui.about import AboutDialog
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.uncaught import SAID, UncaughtErrors
from tests.support.database import write_lock_held
from tests.ui.cards import WAIT, click_card, names, shown_window

CTRL = Qt.KeyboardModifier.ControlModifier
BUSY_MS = 300


@pytest.fixture
def impatient(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The database with a short busy timeout: connections made from now on wait 300 ms."""
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", BUSY_MS)
    db.engine.dispose()  # the pooled connections were made with the usual timeout
    return db


def shown(qtbot: QtBot, ops: Operations) -> MainWindow:
    return shown_window(qtbot, ops, (1400, 900))


def boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]


def shown_boxes() -> list[QMessageBox]:
    return [box for box in boxes() if box.isVisible()]


# --- a busy database ------------------------------------------------------------------------


def test_a_move_while_another_writer_holds_the_database_says_busy_and_works_after(
    qtbot: QtBot, impatient: Database, ops: Operations
) -> None:
    leads.add_lead(impatient, NewLead.create(name="Bob Stone", now=datetime.now(UTC)))
    window = shown(qtbot, ops)
    click_card(qtbot, window, "Bob Stone")
    with write_lock_held(impatient.path):
        QTest.keyClick(window.columns["hot"].view, Qt.Key.Key_2, CTRL)
        qtbot.waitUntil(
            lambda: "database is busy" in window.statusBar().currentMessage(), timeout=WAIT
        )
        assert window.statusBar().currentMessage() == store_db.BUSY
        assert names(window, State.HOT) == ["Bob Stone"]  # nothing moved
        assert not window.menus["undo"].isEnabled()  # and nothing to undo
    QTest.keyClick(window.columns["hot"].view, Qt.Key.Key_2, CTRL)
    qtbot.waitUntil(lambda: names(window, State.WARM) == ["Bob Stone"], timeout=WAIT)
    assert window.statusBar().currentMessage() == "Moved Bob Stone to Warm — Ctrl+Z undoes it"


def test_a_write_that_fails_after_its_dialog_closed_is_still_said_in_the_window(
    qtbot: QtBot, impatient: Database, ops: Operations
) -> None:
    window = shown(qtbot, ops)
    dialog = QWidget(window)  # asked, then closed before the answer came back
    said: list[str] = []
    new = NewLead.create(name="Dana Reyes", now=datetime.now(UTC))
    with write_lock_held(impatient.path):
        ops.run(lambda db: leads.add_lead(db, new), writes=True, on_error=said.append,
                owner=dialog)  # fmt: skip
        dialog.deleteLater()
        qtbot.waitUntil(lambda: window.statusBar().currentMessage() == store_db.BUSY,
                        timeout=WAIT)  # fmt: skip
    assert said == []  # the dialog's own handler is not called: it is gone


def test_work_handed_over_from_another_thread_runs_on_the_database_thread(
    impatient: Database, ops: Operations
) -> None:
    outcome: dict[str, object] = {}

    def on_a_mail_thread() -> None:
        outcome["ran on"] = ops.call(lambda _db: threading.current_thread().name)
        with write_lock_held(impatient.path):
            try:
                new = NewLead.create(name="Cleo Park", now=datetime.now(UTC))
                ops.call(lambda db: leads.add_lead(db, new))
            except DatabaseBusy as exc:
                outcome["busy"] = str(exc)

    worker = threading.Thread(target=on_a_mail_thread, name="followthrough-mail")
    worker.start()
    worker.join(10)
    assert outcome == {"ran on": "followthrough-db", "busy": store_db.BUSY}
    with pytest.raises(RuntimeError, match="GUI thread"):
        ops.call(lambda _db: None)  # it would freeze the window: refused
    ops.shutdown()
    closed: list[BaseException] = []
    late = threading.Thread(target=lambda: _raised(closed, lambda: ops.call(lambda _db: 1)))
    late.start()
    late.join(10)
    assert [type(exc) for exc in closed] == [FollowthroughError]  # refused, never left waiting


def _raised(into: list[BaseException], call: object) -> None:
    try:
        call()  # type: ignore[operator]
    except BaseException as exc:
        into.append(exc)


def test_an_unexpected_error_off_the_gui_thread_lands_in_the_log_with_its_traceback(
    qtbot: QtBot, ops: Operations, log_file: Path
) -> None:
    def broken(_db: Database) -> None:
        raise KeyError("the detail a bug report needs")

    with qtbot.waitSignal(ops.failed, timeout=WAIT) as failed:
        ops.run(broken)
    assert failed.args == [
        "something went wrong; the details are in the log (Help › Open log folder)"
    ]
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "the detail a bug report needs" in text
    assert "[followthrough-db]" in text  # the thread it failed on


# --- what nothing caught --------------------------------------------------------------------


@pytest.fixture
def reporter(
    qtbot: QtBot, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[UncaughtErrors]:
    """The app's hook, installed over quiet ones: the test sees only what the app does."""
    import sys

    # pytest's own hooks would report these deliberate errors as the test's failure.
    def quiet(*_args: object) -> None:
        return None

    monkeypatch.setattr(sys, "excepthook", quiet)
    monkeypatch.setattr(threading, "excepthook", quiet)
    hook = UncaughtErrors()
    hook.install()
    yield hook
    hook.uninstall()
    assert (sys.excepthook, threading.excepthook) == (quiet, quiet)  # put back as they were
    assert shown_boxes() == []  # uninstalling closed the box


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_logged_and_told_in_a_box_that_opens_the_log_folder(
    qtbot: QtBot, reporter: UncaughtErrors, log_file: Path
) -> None:
    opened = _capture_file_urls()
    try:

        def clicked() -> None:
            raise ValueError("a slot that was never meant to fail")

        QTimer.singleShot(0, clicked)
        qtbot.waitUntil(lambda: bool(shown_boxes()), timeout=WAIT)
        [box] = shown_boxes()
        assert box.text() == SAID
        assert str(log_file.parent) in box.informativeText()
        text = log_file.read_text(encoding="utf-8")
        assert "uncaught ValueError" in text
        assert "a slot that was never meant to fail" in text
        assert "Traceback (most recent call last)" in text
        [opener] = [b for b in box.buttons() if b.text() == "&Open log folder"]
        opener.click()
        assert opened.urls == [QUrl.fromLocalFile(str(log_file.parent))]
    finally:
        QDesktopServices.unsetUrlHandler("file")


@pytest.mark.qt_no_exception_capture
def test_an_error_on_another_thread_is_told_on_the_gui_thread(
    qtbot: QtBot, reporter: UncaughtErrors, log_file: Path
) -> None:
    def fails() -> None:
        raise OSError("a thread of ours died")

    worker = threading.Thread(target=fails, name="followthrough-sample")
    worker.start()
    worker.join(5)
    qtbot.waitUntil(lambda: bool(shown_boxes()), timeout=WAIT)
    [box] = shown_boxes()
    assert box.thread() == QApplication.instance().thread()  # type: ignore[union-attr]
    text = log_file.read_text(encoding="utf-8")
    assert "[followthrough-sample] uncaught OSError on followthrough-sample" in text
    assert "a thread of ours died" in text


@pytest.mark.qt_no_exception_capture
def test_a_storm_of_errors_opens_one_box_that_counts_them(
    qtbot: QtBot, reporter: UncaughtErrors, log_file: Path
) -> None:
    def fails(n: int) -> None:
        raise RuntimeError(f"failure {n}")

    for n in range(5):
        QTimer.singleShot(0, lambda n=n: fails(n))
    qtbot.waitUntil(lambda: reporter.reported == 5, timeout=WAIT)
    [box] = shown_boxes()
    assert box.informativeText().startswith("It happened 4 more times since.")
    assert log_file.read_text(encoding="utf-8").count("uncaught RuntimeError") == 5
    box.close()
    QTimer.singleShot(0, lambda: fails(6))  # after it is closed, the next one gets a box again
    qtbot.waitUntil(lambda: bool(shown_boxes()), timeout=WAIT)
    assert "more" not in shown_boxes()[0].informativeText()


@pytest.mark.qt_no_exception_capture
def test_a_box_that_cannot_be_shown_is_logged_and_never_reported_again(
    qtbot: QtBot, reporter: UncaughtErrors, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot(_self: UncaughtErrors) -> QMessageBox:
        raise RuntimeError("no box today")

    monkeypatch.setattr(UncaughtErrors, "_new_box", cannot)
    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.waitUntil(lambda: reporter.reported == 1, timeout=WAIT)
    turns: list[int] = []
    for turn in range(3):  # a loop would have reported again within these turns
        QTimer.singleShot(0, lambda turn=turn: turns.append(turn))
    qtbot.waitUntil(lambda: len(turns) == 3, timeout=WAIT)
    assert reporter.reported == 1
    assert shown_boxes() == []
    text = log_file.read_text(encoding="utf-8")
    assert "uncaught ZeroDivisionError" in text
    assert "the box telling of an error could not be shown" in text


def test_the_log_is_private_and_opened_once(log_file: Path, tmp_path: Path) -> None:
    assert log_file.is_relative_to(tmp_path / "xdg-state")  # never the real home
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700
    assert logfile.open_log() == log_file
    import logging

    files = [getattr(h, "baseFilename", None) for h in logging.getLogger().handlers]
    assert files.count(str(log_file)) == 1


# --- finding the log ------------------------------------------------------------------------


class _Urls(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


_handlers: list[_Urls] = []  # Qt keeps no reference to the handler: this list does


def _capture_file_urls() -> _Urls:
    """File URLs land here instead of in the desktop's file manager."""
    handler = _Urls()
    _handlers[:] = [handler]
    QDesktopServices.setUrlHandler("file", handler, "open")
    return handler


def test_help_open_log_folder_opens_the_log_folder_and_about_names_it(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    window = shown(qtbot, ops)
    folder = logfile.log_folder()
    assert not folder.exists()  # nothing failed yet: nothing was written
    assert "Open &log folder" in [a.text() for a in window.menus.menu("help").actions()]
    opened = _capture_file_urls()
    try:
        window.menus["log folder"].trigger()
        assert opened.urls == [QUrl.fromLocalFile(str(folder))]
        assert folder.is_dir()  # made, so the file manager has something to show
        assert folder.is_relative_to(tmp_path)
        about = window.show_about()
        assert isinstance(about, AboutDialog)
        assert about.log_folder.text() == str(folder)
        about.close()
    finally:
        QDesktopServices.unsetUrlHandler("file")


_WATCH_THE_HOOKS = """
import json, sys, threading
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from followthrough import logfile
from followthrough.paths import prepare_data_dir
from followthrough.ui.app import run_gui
from followthrough.ui.uncaught import UncaughtErrors

app = QApplication([])
before = (sys.excepthook, threading.excepthook)
during = []
QTimer.singleShot(0, lambda: during.append(sys.excepthook))
code = run_gui(prepare_data_dir(Path(sys.argv[1])), smoke=True)
print(json.dumps({
    "code": code,
    "hooked": any(isinstance(getattr(h, "__self__", None), UncaughtErrors) for h in during),
    "restored": (sys.excepthook, threading.excepthook) == before,
    "closed": logfile.log_path() is None,
    "log": str(logfile.platform_log_folder() / logfile.LOG_NAME),
}))
"""


def test_the_app_writes_its_log_and_hooks_errors_only_while_it_runs(tmp_path: Path) -> None:
    # In a process of its own, as the app runs: the app's event loop is started and ended
    # once per process, and a test must not share its application object with the next.
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "state"),
               HOME=str(tmp_path / "home"))  # fmt: skip
    done = subprocess.run([sys.executable, "-c", _WATCH_THE_HOOKS, str(tmp_path / "data")],
                          env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["code"] == 0
    assert found["hooked"]
    assert found["restored"]
    assert found["closed"]  # closed with the app
    log = Path(found["log"])
    assert log.is_relative_to(tmp_path)
    text = log.read_text(encoding="utf-8")
    assert "INFO followthrough.ui.app [" in text
    assert f"] Followthrough {__version__} started" in text
