"""The "Sync" tab: the folder a sync engine replicates, this device's name, the other devices
seen there, Sync now and Stop syncing.

Its buttons act at once, like the Calendar tab's. Setting the folder looks at the disk (the
folder may be a network mount slow to answer), so it runs on a thread of the page's own and
hands the database work to the database thread; syncing itself is the watcher's
(ui/syncwatcher.py): Sync now asks it for a pass, so two passes never overlap.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.hlc import check_device_name
from followthrough.errors import FollowthroughError, InvalidData
from followthrough.services.clock import utcnow
from followthrough.services.sync.forget import forget_device
from followthrough.services.sync.record import SyncStatus
from followthrough.services.sync.service import set_sync_folder, status, stop_syncing
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.ops import Background, Operations
from followthrough.ui.settings.fields import SettingsPage, hint_label, sentence, warning_colour
from followthrough.ui.settings.layout import tidy_form, widget_row
from followthrough.ui.settings.sync_devices import DeviceList, device_label
from followthrough.ui.syncwatcher import SyncCheck, SyncWatcher

HOW_IT_WORKS = (
    "Use one pipeline on several computers. Choose a folder that Syncthing, Dropbox, "
    "Nextcloud, OneDrive or a shared drive already copies between them: each computer writes "
    "its own changes there as small files and reads the others'. The database itself never "
    "goes into that folder (a copied database arrives damaged)."
)
WHAT_MERGES = (
    "Changes merge piece by piece: the timeline keeps every entry from every computer; a "
    "lead's fields take the later edit; two different moves keep the later one and note the "
    "other in the timeline; an alert done on one computer is done on all; a lead deleted on "
    "one stays deleted unless it was changed on another after that, which brings it back "
    "whole. Never shared: "
    "passwords, mail and calendar accounts, window layout and the data folder."
)


RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Stored:
    """What the page shows of sync, read off the GUI thread."""

    state: SyncStatus
    folder: Path | None  # the folder in use (services/sync/service.status)

    @property
    def on(self) -> bool:
        return self.folder is not None


def _use_folder(on_database: DatabaseTurn, folder: str, name: str) -> Stored:
    on_database(lambda db: set_sync_folder(db, folder, name))
    return Stored(*on_database(status))


def _forget(on_database: DatabaseTurn, device: str) -> tuple[Stored, str]:
    peer = on_database(lambda db: forget_device(db, device, utcnow()))
    return Stored(*on_database(status)), device_label(peer)


def _stop(on_database: DatabaseTurn) -> Stored:
    on_database(stop_syncing)
    return Stored(*on_database(status))


class SyncPage(SettingsPage):
    loaded = Signal()  # what is set up is on screen
    saved = Signal()  # the folder is in use; the watcher syncs at once
    stopped = Signal()  # this device syncs no more
    synced = Signal(str)  # a pass asked for here ended: what it said, or why it failed

    def __init__(
        self, ops: Operations, watcher: SyncWatcher | None = None, parent: QWidget | None = None
    ) -> None:
        """`watcher`: the app's, which the page asks to sync; without one (a dialog opened
        on its own, as in the tests) the page keeps one of its own."""
        super().__init__(parent)
        self.ops = ops
        self.watcher = watcher or SyncWatcher(ops, self)
        self._own_watcher = watcher is None
        self.stored: Stored | None = None
        self.browser: QFileDialog | None = None  # "Choose the sync folder" while open
        self.confirmation: QMessageBox | None = None  # "Stop syncing?" while open
        self.confirm_stop: QPushButton | None = None  # its button that stops
        self._thread = Background("sync-settings", self)
        self._syncing = False  # Sync now was pressed and its pass has not finished
        self._build()
        self.watcher.checked.connect(self._checked)
        self.watcher.finished.connect(self._finished)
        self.watcher.line_changed.connect(self._show_line)
        self._set_busy(True)
        on_database = ops.call
        self._thread.run(lambda: Stored(*on_database(status)), self._show, self._refused)

    # --- the form -------------------------------------------------------------------------------

    def _build(self) -> None:
        # Alt keys: o b e u y p; none of the tabs' (f n r t m l s c) nor the buttons'.
        self.form = QWidget(self)
        intro = hint_label(HOW_IT_WORKS, self.form)
        box = QGroupBox("This computer", self.form)
        self.folder = QLineEdit(box, placeholderText="~/Sync/Followthrough")
        self.folder.setAccessibleName("Sync folder")
        self.browse = QPushButton("&Browse…", box)
        self.browse.setAccessibleName("Choose the sync folder")
        self.browse.clicked.connect(self.choose_folder)
        self.name = QLineEdit(box)
        self.name.setAccessibleName("This device's name")
        self.name.setToolTip("How the other computers list this one")
        self.name.setText(socket.gethostname())
        form = tidy_form(QFormLayout(box))
        folder_label = QLabel("F&older", box)
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, widget_row(box, self.folder, self.browse))
        form.addRow("", self.problem_slot("sync_folder"))
        name_label = QLabel("D&evice name", box)
        name_label.setBuddy(self.name)
        form.addRow(name_label, self.name)
        form.addRow("", self.problem_slot("device_name"))
        self.use = QPushButton("&Use this folder", box)
        self.use.setAccessibleName("Sync through this folder")
        self.use.clicked.connect(self.use_folder)
        form.addRow("", widget_row(box, self.use, stretch=True))

        devices = DeviceList(self.form)
        devices.forget_asked.connect(self.forget_device)
        self.device_list = devices
        self.devices = devices.table
        self.no_devices = devices.note

        self.sync = QPushButton("S&ync now", self.form)
        self.sync.setAccessibleName("Sync now")
        self.sync.clicked.connect(self.sync_now)
        self.stop = QPushButton("Sto&p syncing", self.form)
        self.stop.setAccessibleName("Stop syncing")
        self.stop.clicked.connect(self.ask_stop)
        self.result = QLabel(self.form)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Sync result")
        self.result.hide()
        self.line = QLabel(self.form)
        self.line.setWordWrap(True)
        self.line.setAccessibleName("Sync state")

        layout = QVBoxLayout(self.form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(box)
        layout.addWidget(devices)
        layout.addWidget(widget_row(self.form, self.sync, self.stop, stretch=True))
        layout.addWidget(self.line)
        layout.addWidget(self.result)
        layout.addWidget(hint_label(WHAT_MERGES, self.form))
        layout.addStretch(1)
        page = QVBoxLayout(self)
        page.addWidget(self.form, 1)

    # --- showing what is set up -----------------------------------------------------------------

    def _show(self, stored: Stored) -> None:
        self.stored = stored
        if stored.folder is not None:
            self.folder.setText(str(stored.folder))
        if stored.state.device_name:
            self.name.setText(stored.state.device_name)
        self._show_devices(stored.state)
        if not stored.on:
            self.line.setText("Sync is off: this computer keeps its pipeline to itself.")
        else:
            self._show_line(self.watcher.line)
        self._set_busy(False)
        self.loaded.emit()

    def _show_devices(self, state: SyncStatus) -> None:
        self.device_list.show_devices(state)

    def _show_line(self, line: str) -> None:
        if self.stored is not None and not self.stored.on and not line:
            return  # "Sync is off" stays
        self.line.setText(sentence(line) if line else "")
        paused = self.watcher.paused and bool(line)
        self.line.setStyleSheet(f"color: {warning_colour(self.palette())}" if paused else "")

    # --- the buttons ----------------------------------------------------------------------------

    def choose_folder(self) -> QFileDialog:
        dialog = QFileDialog(self, "Choose the sync folder", self.folder.text().strip())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        dialog.fileSelected.connect(self.folder.setText)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.browser = dialog
        dialog.open()
        return dialog

    def use_folder(self) -> None:
        self.clear_problems()
        self._say("", ok=True)
        folder = self.folder.text()
        try:
            name = check_device_name(self.name.text())  # refused next to the field, text kept
            if not folder.strip():
                raise InvalidData("say which folder to sync through", "sync_folder")
        except InvalidData as exc:
            self._refused(exc)
            return
        on_database = self.ops.call
        self._start("Setting up…")
        self._thread.run(lambda: _use_folder(on_database, folder, name), self._used, self._refused)

    def _used(self, stored: Stored) -> None:
        self._show(stored)
        self._say(f"Syncing through {stored.folder} as “{stored.state.device_name}”.", ok=True)
        self.saved.emit()
        self.sync_now()

    def sync_now(self) -> None:
        """Ask the watcher for a pass; how it went comes back as `synced`."""
        if self.stored is None or not self.stored.on:
            self._say("Sync is off: choose a folder and Use this folder first.", ok=False)
            return
        self._start("Syncing…")
        self._syncing = True
        if not self.watcher.check_now():
            self.result.setText("A sync is already under way…")  # its end is shown

    def ask_stop(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Stop syncing")
        box.setText("Stop syncing this computer with the others?")
        box.setInformativeText(
            "Nothing is deleted, here or in the folder. Changes made from now on stay on this "
            "computer until it syncs again; then they go to the other computers."
        )
        stop = box.addButton("Stop syncing", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # a stray Enter must not stop it
        box.setEscapeButton(cancel)
        stop.clicked.connect(self.stop_syncing)
        self.confirm_stop = stop
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirmation = box
        box.open()
        return box

    def stop_syncing(self) -> None:
        on_database = self.ops.call
        self._start("Stopping…")
        self._thread.run(lambda: _stop(on_database), self._stopped, self._refused)

    def _stopped(self, stored: Stored) -> None:
        self._show(stored)
        self._say(
            "This computer no longer syncs. What is changed here meanwhile will go to the "
            "other devices if it syncs again.",
            ok=True,
        )
        self.stopped.emit()
        self.watcher.check_now()  # nothing to sync: the status bar's line goes

    def forget_device(self, device: str) -> None:
        on_database = self.ops.call
        self._start("Forgetting…")
        self._thread.run(lambda: _forget(on_database, device), self._forgot, self._refused)

    def _forgot(self, done: tuple[Stored, str]) -> None:
        stored, name = done
        self._show(stored)
        self._say(f"Forgot {name}: no device waits for it any more. It is listed again if it "
                  "syncs again.", ok=True)  # fmt: skip
        self.watcher.check_now()  # the others read it in this device's next device.json

    # --- what the watcher did -------------------------------------------------------------------

    def _checked(self, report: object) -> None:
        assert isinstance(report, SyncCheck)
        if self.stored is not None:
            state = replace(self.stored.state, peers=report.peers)
            self.stored = Stored(state, self.stored.folder)
            self._show_devices(self.stored.state)

    def _finished(self) -> None:
        if not self._syncing:
            return
        self._syncing = False
        self._set_busy(False)
        problem = self.watcher.status
        check = self.watcher.last_check
        if problem:
            said = problem
        elif check is None:
            said = "Nothing to sync: no folder is in use."
        else:
            done = check.done
            said = (
                f"Sent {done.report.sent:,} changes; applied {done.applied.applied:,} "
                "from the other devices."
            )
            said += "".join(f" {note}" for note in done.report.notes)
        self._say(said, ok=not problem)
        self.synced.emit(said)

    # --- saying how it went ---------------------------------------------------------------------

    def _start(self, doing: str) -> None:
        self._set_busy(True)
        self.result.setText(doing)
        self.result.setStyleSheet("")
        self.result.show()

    def _refused(self, error: FollowthroughError) -> None:
        self._set_busy(False)
        field = error.field if isinstance(error, InvalidData) else None
        if field is not None and self.owns(field):
            self.show_problem(field, str(error))
            self._say("", ok=True)
        else:
            self._say(str(error), ok=False)
        if self.stored is None:
            self.loaded.emit()  # shown as it could be: the reason says why

    def _say(self, text: str, *, ok: bool) -> None:
        self.result.setText(sentence(text) if text else "")
        self.result.setVisible(bool(text))
        self.result.setStyleSheet("" if ok else f"color: {warning_colour(self.palette())}")

    def _set_busy(self, busy: bool) -> None:
        self.form.setEnabled(not busy)
        on = self.stored is not None and self.stored.on
        self.sync.setEnabled(on)
        self.stop.setEnabled(on)

    def shutdown(self) -> None:
        """Take no more work; a watcher of the page's own stops (waiting for a pass in
        flight, which applies in one transaction)."""
        self._thread.shutdown(wait=False)
        if self._own_watcher:
            self.watcher.stop()
