"""File › Backups…: the copies of the data, a new one on demand, and a checked restore.

A restore copies the backup into the open database through SQLite's own locks, so the
running app reads the restored data on its next query; views refresh on `ops.changed`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from followthrough.services.backups import (
    BackupInfo,
    BackupShelf,
    backup_shelf,
    make_manual_backup,
    restore_into_open,
)
from followthrough.ui.changes import EVERYTHING
from followthrough.ui.ops import Operations
from followthrough.ui.settings.fields import hint_label, sentence, warning_colour
from followthrough.ui.timefmt import local_day

KIND_WORDS = {
    "daily": "Daily",
    "weekly": "Weekly",
    "manual": "Made by hand",
    "pre-restore": "Before a restore",
    "pre-migration": "Before an upgrade",
    "pre-import": "Before an import",
}


def size_words(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("-", " ").capitalize())


def backup_words(info: BackupInfo) -> str:
    """'Mon 23 Nov, 11:00 (daily, 340 KB)': how a person recognises a backup."""
    return f"{local_day(info.made_at)} ({kind_words(info.kind).lower()}, {size_words(info.size)})"


class BackupsDialog(QDialog):
    listed = Signal()  # the list shows the backups folder as it is now
    restored = Signal(str)  # a restore finished; the text says where the replaced data went
    failed = Signal(str)

    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        on_restored: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.on_restored = on_restored
        self.backups: list[BackupInfo] = []
        self.folder: Path | None = None  # known once the backups are listed
        self.confirmation: QMessageBox | None = None  # the open "Restore?" question
        self.confirm_button: QPushButton | None = None
        self.setWindowTitle("Backups")

        self.table = QTreeWidget(self)
        self.table.setAccessibleName("Backups, newest first")
        self.table.setHeaderLabels(["Made", "Kind", "Size"])
        self.table.setRootIsDecorated(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemActivated.connect(lambda *_: self.ask_restore())
        self.empty = hint_label("No backups yet: the app makes one each day it is opened.", self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        self.back_up_button = QPushButton("&Back up now", self)
        self.back_up_button.setAccessibleName("Make a backup now")
        self.back_up_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("&Restore…", self)
        self.restore_button.setAccessibleName("Restore the selected backup")
        self.restore_button.clicked.connect(self.ask_restore)
        self.folder_button = QPushButton("Show in &folder", self)
        self.folder_button.setAccessibleName("Show the backups folder")
        self.folder_button.clicked.connect(self.show_folder)
        self.folder_button.setEnabled(False)  # until the listing says which folder to show
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        buttons = QHBoxLayout()
        for button in (self.back_up_button, self.restore_button, self.folder_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(560, 420)
        self._busy(True)
        self.refresh()

    # --- reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        # Owned by the dialog: a listing that arrives after it closed is dropped.
        self.ops.run(backup_shelf, self._show, on_error=self._failed, owner=self)

    def _show(self, shelf: BackupShelf) -> None:
        self.backups = backups = shelf.backups
        self.folder = shelf.folder
        self.folder_button.setEnabled(True)
        self.table.clear()
        for info in backups:
            item = QTreeWidgetItem(
                [local_day(info.made_at), kind_words(info.kind), size_words(info.size)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, str(info.path))
            item.setToolTip(0, str(info.path))
            self.table.addTopLevelItem(item)
        for column in range(3):
            self.table.resizeColumnToContents(column)
        self.empty.setVisible(not backups)
        first = self.table.topLevelItem(0)
        if first is not None:
            self.table.setCurrentItem(first)
        self._busy(False)
        self.listed.emit()

    def selected(self) -> BackupInfo | None:
        current = self.table.currentItem()
        if current is None:
            return None
        row = self.table.indexOfTopLevelItem(current)
        return self.backups[row] if 0 <= row < len(self.backups) else None

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(
            self.selected() is not None and self.back_up_button.isEnabled()
        )

    # --- actions --------------------------------------------------------------------------

    def back_up_now(self) -> None:
        self._busy(True)
        self._say("Making a backup…")
        # Guarded, not owned: a backup that fails after the dialog closed is still said.
        self.ops.run(
            make_manual_backup, self.ops.guard(self._backed_up), on_error=self._said_late()
        )

    def _backed_up(self, path: Path) -> None:
        self._say(f"Backed up to {path.name}.")
        self.refresh()

    def ask_restore(self) -> QMessageBox | None:
        """Ask first, naming what happens to the data there now."""
        info = self.selected()
        if info is None or not self.restore_button.isEnabled():
            return None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Restore a backup")
        box.setText(f"Replace your data with the backup from {backup_words(info)}?")
        box.setInformativeText(
            "Your current data is saved as a backup first, so you can go back to it."
        )
        self.confirm_button = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # a stray Enter must not replace the data
        box.setEscapeButton(cancel)
        self.confirm_button.clicked.connect(lambda: self.restore(info))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirmation = box
        box.open()
        return box

    def restore(self, info: BackupInfo) -> None:
        self._busy(True)
        self._say("Restoring…")
        on_restored = self.on_restored
        shown = self.ops.guard(partial(self._restored, info), owner=self)

        def restored(saved: Path | None) -> None:
            if on_restored is not None:
                on_restored()  # even when the dialog was closed meanwhile
            if shown is not None:
                shown(saved)

        self.ops.run(
            lambda db: restore_into_open(db, info.path),
            restored,
            # The whole file is replaced: leads, alerts, rules, settings and templates alike.
            writes=EVERYTHING,
            on_error=self._said_late(),
        )

    def _restored(self, info: BackupInfo, saved: Path | None) -> None:
        kept = f" Your previous data is saved as {saved.name}." if saved else ""
        text = f"Restored the backup from {local_day(info.made_at)}.{kept}"
        self._say(text)
        self.refresh()
        self.restored.emit(text)

    def show_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    # --- state ----------------------------------------------------------------------------

    def done(self, result: int) -> None:
        super().done(result)
        self.ops.drop_pending(self)  # answers still on their way are for a closed dialog

    def _said_late(self) -> Callable[[str], None] | None:
        """Where a backup or a restore says it failed: here, or in the window's status bar
        once the dialog has closed (the person still believes it was done)."""
        return self.ops.guard(self._failed, otherwise=self.ops.failed.emit)

    def _failed(self, message: str) -> None:
        self._say(sentence(message), problem=True)
        self._busy(False)
        self.failed.emit(message)

    def _say(self, text: str, problem: bool = False) -> None:
        self.status.setStyleSheet(f"color: {warning_colour(self.palette())}" if problem else "")
        self.status.setText(text)

    def _busy(self, busy: bool) -> None:
        self.back_up_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.selected() is not None)
