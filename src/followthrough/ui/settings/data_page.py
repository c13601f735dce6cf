"""The "Data" tab: where the data lives now and from the next start, and its backups.

The backup counts are saved as soon as they change, like the folder: they act only at the
next daily backup, which prunes the copies beyond them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from followthrough.paths import (
    DATABASE_NAME,
    ENV_DATA_DIR,
    default_data_dir,
    prepare_data_dir,
    resolve_data_dir,
    save_data_dir,
    saved_data_dir,
)
from followthrough.services.backups import (
    DAILY_RANGE,
    WEEKLY_RANGE,
    Retention,
    get_retention,
    set_retention,
)
from followthrough.services.database import Database
from followthrough.services.sync.syncroots_config import refuse_replicated_data_folder
from followthrough.ui.ops import Operations
from followthrough.ui.settings.fields import SettingsPage, hint_label, sentence
from followthrough.ui.settings.layout import same_width, tidy_form

if TYPE_CHECKING:
    from followthrough.ui.backups_dialog import BackupsDialog


class Location(NamedTuple):
    saved: Path | None  # the folder chosen here, if any
    default: Path
    next: Path  # where the next start looks: the app's own order, without a --data-dir


def _location() -> Location:
    return Location(saved_data_dir(), default_data_dir(), resolve_data_dir(None, os.environ))


def _choose(folder: Path | None) -> Location:
    """Remember `folder` (None: the default), after checking it can hold the data."""
    if folder is not None:
        refuse_replicated_data_folder(folder)
        prepare_data_dir(folder)
    save_data_dir(folder)
    return _location()


def _next_start(_db: Database) -> Location:
    return _location()


def where_words(now: Path, next_start: Path) -> str:
    """Where the data is, and where it will be from the next start when that differs."""
    if next_start == now:
        return f"Your data is in {now}."
    return f"Your data is in {now}. From the next start: {next_start}."


class DataPage(SettingsPage):
    location_saved = Signal()  # the folder for the next start was written to the config file
    location_loaded = Signal()
    retention_loaded = Signal()
    retention_saved = Signal()  # the backup counts were written

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.database = ops.path
        self.path = QLineEdit(str(self.database), self)
        self.path.setReadOnly(True)
        self.path.setAccessibleName("Database file")
        self.open_folder = QPushButton("&Open folder", self)
        self.open_folder.setAccessibleName("Open the data folder")
        self.open_folder.clicked.connect(self.show_folder)
        self.next_start = QLabel(where_words(self.database.parent, self.database.parent), self)
        self.next_start.setWordWrap(True)
        self.next_start.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.next_start.setAccessibleName("Where your data is, and from the next start")
        self.use_other = QPushButton("&Use another folder…", self)
        self.use_other.setAccessibleName("Use another data folder")
        self.use_other.clicked.connect(self.choose_folder)
        self.use_default = QPushButton("&Back to the default location", self)
        self.use_default.setAccessibleName("Go back to the default data folder")
        self.use_default.clicked.connect(self.forget_folder)
        self.note = hint_label("", self)
        self.note.setAccessibleName("Note")

        # Rows are widgets, not bare layouts: a layout handed to QFormLayout.addRow can be
        # freed by Python while Qt still lays it out (a crash seen under test).
        here_row = QWidget(self)
        here = QHBoxLayout(here_row)
        here.setContentsMargins(0, 0, 0, 0)
        here.addWidget(self.path, 1)
        here.addWidget(self.open_folder)
        buttons_row = QWidget(self)
        buttons = QHBoxLayout(buttons_row)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.use_other)
        buttons.addWidget(self.use_default)
        buttons.addStretch(1)
        form = tidy_form(QFormLayout(self))
        form.addRow(self.next_start)
        label = QLabel("Database f&ile", self)  # Alt+I, as before: F is the first tab's
        label.setBuddy(self.path)
        form.addRow(label, here_row)
        form.addRow(buttons_row)
        form.addRow(self.note)
        form.addRow(self.problem_slot("data_dir"))
        if os.environ.get(ENV_DATA_DIR):
            form.addRow(
                hint_label(f"{ENV_DATA_DIR} is set: it wins over the folder chosen here.", self)
            )
        form.addRow(self._backups_box())
        self.ops.run(_next_start, self._show_next_start, on_error=self._refused)
        self.ops.run(get_retention, self._show_retention, on_error=self._retention_refused)

    def _backups_box(self) -> QGroupBox:
        box = QGroupBox("Backups", self)
        self.keep_daily = QSpinBox(box)
        self.keep_daily.setRange(*DAILY_RANGE)
        self.keep_daily.setAccessibleName("Keep daily backups")
        self.keep_weekly = QSpinBox(box)
        self.keep_weekly.setRange(*WEEKLY_RANGE)
        self.keep_weekly.setAccessibleName("Keep weekly backups")
        same_width((self.keep_daily, self.keep_weekly))
        for spin in (self.keep_daily, self.keep_weekly):
            spin.setKeyboardTracking(False)  # a typed "14" is one change, not "1" then "14"
            spin.setEnabled(False)  # until the stored counts are shown
            spin.valueChanged.connect(self._save_retention)
        self.open_backups = QPushButton("Bac&kups…", box)
        self.open_backups.setAccessibleName("Show the backups")
        self.open_backups.clicked.connect(self.show_backups)
        self.backups_dialog: BackupsDialog | None = None
        form = tidy_form(QFormLayout(box))
        daily = QLabel("Keep &daily backups", box)
        daily.setBuddy(self.keep_daily)
        weekly = QLabel("Keep &weekly backups", box)
        weekly.setBuddy(self.keep_weekly)
        form.addRow(daily, self.keep_daily)
        form.addRow("", self.problem_slot("keep_daily"))
        form.addRow(weekly, self.keep_weekly)
        form.addRow("", self.problem_slot("keep_weekly"))
        form.addRow(
            hint_label("A copy is made on the first start of each day; older ones go.", box)
        )
        form.addRow(self.open_backups)
        return box

    def show_backups(self) -> BackupsDialog:
        from PySide6.QtCore import Qt

        # Imported here: the backups dialog borrows this package's field helpers.
        from followthrough.ui.backups_dialog import BackupsDialog

        dialog = BackupsDialog(self.ops, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.backups_dialog = dialog
        return dialog

    def _show_retention(self, kept: Retention) -> None:
        for spin, value in (
            (self.keep_daily, kept.keep_daily),
            (self.keep_weekly, kept.keep_weekly),
        ):
            spin.blockSignals(True)  # showing the stored value is not a change to save
            spin.setValue(value)
            spin.blockSignals(False)
            spin.setEnabled(True)
        self.retention_loaded.emit()

    def _save_retention(self) -> None:
        daily, weekly = self.keep_daily.value(), self.keep_weekly.value()
        for field in ("keep_daily", "keep_weekly"):
            self._problems[field].hide()
        self.ops.run(
            lambda db: set_retention(db, daily, weekly),
            lambda _kept: self.retention_saved.emit(),
            on_error=self._retention_refused,
        )

    def _retention_refused(self, message: str) -> None:
        field = "keep_weekly" if "weekly" in message else "keep_daily"
        self.show_problem(field, message)

    def show_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.database.parent)))

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Choose a folder for the data", str(self.database.parent)
        )
        if not chosen:
            return  # the person changed their mind
        folder = Path(chosen).absolute()
        self._save(folder)

    def forget_folder(self) -> None:
        self._save(None)

    def _save(self, folder: Path | None) -> None:
        self.clear_problems()
        self.use_other.setEnabled(False)
        self.use_default.setEnabled(False)
        self.ops.run(lambda _db: _choose(folder), self._saved, on_error=self._refused)

    def _saved(self, result: Location) -> None:
        self._show_next_start(result)
        if result.next == self.database.parent:
            self.note.setText("That is where your data already is: nothing changes.")
        else:
            self.note.setText(
                f"Takes effect at the next start. Your current data stays where it is; "
                f"to take it along, quit and copy {DATABASE_NAME} into the new folder."
            )
        self.location_saved.emit()

    def _show_next_start(self, result: Location) -> None:
        self.use_other.setEnabled(True)
        self.use_default.setEnabled(result.saved is not None)
        self.next_start.setText(where_words(self.database.parent, result.next))
        self.location_loaded.emit()

    def _refused(self, message: str) -> None:
        self.use_other.setEnabled(True)
        self.use_default.setEnabled(True)
        self.show_problem("data_dir", sentence(message))
