"""The Sync tab's list of the other devices: each one's name, when it last wrote, how many
of its changes are applied here; and Forget device, for one that will not sync again
(services/sync/forget.py), asked first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from followthrough.services.clock import utcnow
from followthrough.services.sync.record import PeerStatus, SyncStatus
from followthrough.ui.settings.fields import hint_label
from followthrough.ui.settings.layout import widget_row
from followthrough.ui.syncwatcher import ago_words

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
NONE_YET = (
    "No other device has written to the folder yet. Set the same folder up on your other "
    "computer once the sync engine shares it there."
)


class DeviceList(QGroupBox):
    forget_asked = Signal(str)  # a device's id, once the person said to forget it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Other devices", parent)
        self.peers: list[PeerStatus] = []
        self.confirmation: QMessageBox | None = None  # "Forget …?" while open
        self.confirm_forget: QPushButton | None = None  # its button that forgets
        self.table = QTableWidget(0, 3, self)
        self.table.setAccessibleName("Devices seen")
        self.table.setHorizontalHeaderLabels(["Device", "Last wrote", "Changes applied here"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMaximumHeight(130)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        # Alt+V: none of the tabs' letters nor the page's other buttons'.
        self.forget = QPushButton("Forget de&vice…", self)
        self.forget.setAccessibleName("Forget the selected device")
        self.forget.setToolTip("For a computer that will not sync again: replaced, given away")
        self.forget.setEnabled(False)
        self.forget.clicked.connect(self.ask_forget)
        self.note = hint_label("", self)
        self.note.setAccessibleName("Devices note")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(widget_row(self, self.forget, stretch=True))
        layout.addWidget(self.note)

    def show_devices(self, state: SyncStatus) -> None:
        now = utcnow()
        chosen = self.selected()
        self.peers = [peer for peer in state.peers if peer.name or peer.applied_seq]
        self.table.clearSelection()  # rows shift: only the device chosen stays chosen
        self.table.setRowCount(len(self.peers))
        for row, peer in enumerate(self.peers):
            wrote = ago_words(peer.last_wrote_at, now) if peer.last_wrote_at else "not yet"
            cells = (device_label(peer), wrote, f"{peer.applied_seq:,}")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(RIGHT)
                self.table.setItem(row, column, item)
            if chosen is not None and peer.device == chosen.device:
                self.table.selectRow(row)  # a pass's refresh keeps what was chosen
        self.table.setVisible(bool(self.peers))
        self.forget.setVisible(bool(self.peers))
        self.note.setText("" if self.peers else NONE_YET)
        self.note.setVisible(not self.peers)
        self._selection_changed()

    def selected(self) -> PeerStatus | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.peers[min(rows)] if rows and min(rows) < len(self.peers) else None

    def ask_forget(self) -> QMessageBox | None:
        peer = self.selected()
        if peer is None:
            return None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Forget device")
        box.setText(f"Forget “{device_label(peer)}”?")
        box.setInformativeText(
            "Choose this for a computer that will not sync again. The others then stop "
            "keeping old changes in the folder for it. Nothing it wrote is undone, and it is "
            "listed again if it ever syncs again."
        )
        forget = box.addButton("Forget", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # a stray Enter must not forget it
        box.setEscapeButton(cancel)
        device = peer.device
        forget.clicked.connect(lambda: self.forget_asked.emit(device))
        self.confirm_forget = forget
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirmation = box
        box.open()
        return box

    def _selection_changed(self) -> None:
        self.forget.setEnabled(self.isEnabled() and self.selected() is not None)


def device_label(peer: PeerStatus) -> str:
    """A device as the person knows it: its name, else its id."""
    return peer.name or f"device {peer.device}"
