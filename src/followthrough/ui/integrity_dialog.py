"""When the database cannot be opened: say so plainly, and offer a backup to put back.

Nothing is replaced unless the person presses Restore: Quit (and Esc) leaves every byte
as it was. A restore keeps the damaged file in the backups folder before copying.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton, QWidget

from followthrough.errors import FollowthroughError, StorageError
from followthrough.paths import DataPaths
from followthrough.services.backups import BackupInfo, restore_backup
from followthrough.services.integrity import newest_good_backup, restore_hint
from followthrough.ui.backups_dialog import backup_words

T = TypeVar("T")

TITLE = "Followthrough cannot open its data"


class DamagedDatabase(StorageError):
    """The database is damaged and was left as it is; `explained` when a dialog said so."""

    def __init__(self, message: str, explained: bool) -> None:
        super().__init__(message)
        self.explained = explained


class _Relay(QObject):
    done = Signal()


def off_gui_thread(work: Callable[[], T]) -> T:
    """Run `work` on its own thread while the window keeps painting; its result or error."""
    loop = QEventLoop()
    relay = _Relay()
    relay.done.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
    outcome: Future[T] = Future()  # a typed box for the result or the error

    def run() -> None:
        try:
            outcome.set_result(work())
        except BaseException as exc:  # handed to the GUI thread, raised there
            outcome.set_exception(exc)
        finally:
            relay.done.emit()

    thread = threading.Thread(target=run, name="followthrough-check", daemon=True)
    thread.start()
    loop.exec()
    thread.join()  # the loop may also end because the app is quitting
    return outcome.result()


def explain(paths: DataPaths, reason: str) -> str:
    """The reason from the quick check (or the refusal to open) as a sentence."""
    file = paths.database
    if reason == "not a database":
        return f"{file} is not a Followthrough database: it was damaged or overwritten."
    for prefix, words in (("damaged: ", "is damaged"), ("unreadable: ", "cannot be read")):
        if reason.startswith(prefix):
            return f"{file} {words} ({reason.removeprefix(prefix)})."
    return reason if reason.endswith(".") else f"{reason}."


class Choice(Enum):
    RESTORE = "restore"
    CHOOSE = "choose"
    QUIT = "quit"


class IntegrityDialog(QMessageBox):
    """The explanation, the newest good backup, and Restore / Choose another / Quit."""

    def __init__(
        self,
        paths: DataPaths,
        reason: str,
        newest: BackupInfo | None,
        problem: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.newest = newest
        self.choice = Choice.QUIT
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(TITLE)
        self.setText(f"{TITLE}: {explain(paths, reason)} Nothing was changed.")
        if newest is not None:
            offer = (
                f"The newest good backup is from {backup_words(newest)}. Restoring it keeps "
                "the damaged file in the backups folder first."
            )
        else:
            offer = (
                f"No good backup was found in {paths.backups}. If you have a copy elsewhere, "
                "choose it; otherwise quit and run: followthrough doctor"
            )
        if problem:
            offer = f"That backup could not be restored: {problem}\n\n{offer}"
        self.setInformativeText(offer)
        Role = QMessageBox.ButtonRole
        self.restore_button: QPushButton | None = None
        if newest is not None:
            self.restore_button = self.addButton("&Restore this backup", Role.AcceptRole)
            self.restore_button.setAccessibleName(f"Restore the backup from {backup_words(newest)}")
            self.restore_button.clicked.connect(lambda: self._chose(Choice.RESTORE))
        self.choose_button = self.addButton("&Choose another backup…", Role.ActionRole)
        self.choose_button.setAccessibleName("Choose another backup file")
        self.choose_button.clicked.connect(lambda: self._chose(Choice.CHOOSE))
        self.quit_button = self.addButton("&Quit", Role.RejectRole)
        self.quit_button.setAccessibleName("Quit without changing anything")
        # Enter and Esc both lead away from any change; restoring is always a deliberate click.
        self.setDefaultButton(self.quit_button)
        self.setEscapeButton(self.quit_button)

    def _chose(self, choice: Choice) -> None:
        self.choice = choice


def choose_backup_file(paths: DataPaths, parent: QWidget | None = None) -> Path | None:
    """A file picked in the backups folder (or anywhere), or None when the person cancels."""
    start = paths.backups if paths.backups.is_dir() else paths.root
    dialog = QFileDialog(parent, "Choose a backup to restore", str(start))
    dialog.setObjectName("choose_backup")
    dialog.setNameFilters(["Backups (*.sqlite3)", "All files (*)"])
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    # Qt's own dialog: it shows hidden folders' files too, and behaves the same everywhere.
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])


def resolve_damaged_database(paths: DataPaths, reason: str, parent: QWidget | None = None) -> bool:
    """Offer a backup for a damaged database; True once one was restored, False on Quit."""
    problem: str | None = None
    while True:
        newest = off_gui_thread(lambda: newest_good_backup(paths))
        dialog = IntegrityDialog(paths, reason, newest, problem, parent)
        dialog.exec()
        choice = dialog.choice
        dialog.deleteLater()
        if choice is Choice.QUIT:
            return False
        source: Path | None = newest.path if choice is Choice.RESTORE and newest else None
        if choice is Choice.CHOOSE:
            source = choose_backup_file(paths, parent)
        if source is None:
            problem = None
            continue  # the file dialog was cancelled: back to the choices
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            off_gui_thread(partial(restore_backup, paths, source))
            return True
        except FollowthroughError as exc:
            problem = str(exc)
        finally:
            QApplication.restoreOverrideCursor()


def not_restored(paths: DataPaths, reason: str, explained: bool) -> DamagedDatabase:
    """The error the start ends with when the person quit (or could not be asked)."""
    newest = newest_good_backup(paths)
    return DamagedDatabase(
        f"{explain(paths, reason)} Nothing was changed. {restore_hint(newest)}", explained
    )
