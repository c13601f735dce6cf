"""The Archive window: won and lost leads, searchable, and a way back onto the board.

Non-modal, so the board stays usable beside it. It reads through the operations worker like
every view, refreshes on `ops.changed`, and reopens a lead through the window's LeadActions,
so a reopen is one more step on the undo stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.states import State
from followthrough.services.archive import PAGE, ArchivedLead, ArchivePage, load_archive
from followthrough.services.database import Database
from followthrough.ui.actions import LeadActions
from followthrough.ui.archive.model import ArchiveColumn, ArchiveTableModel
from followthrough.ui.ops import Operations

SEARCH_PAUSE_MS = 120  # typing on: wait for a pause before reading again
REOPEN_STATES = (State.WARM, State.HOT)  # Warm first: a lead coming back has cooled off
COLUMN_WIDTHS = {ArchiveColumn.NAME: 180, ArchiveColumn.COMPANY: 150,
                 ArchiveColumn.OUTCOME: 70, ArchiveColumn.SINCE: 120}  # fmt: skip


class ArchiveDialog(QDialog):
    reopened = Signal(int)  # the id of a lead put back on the board, once the move landed
    loaded = Signal()  # a fresh list (after a change, a search, or opening) is on screen

    def __init__(self, ops: Operations, actions: LeadActions, parent: QWidget) -> None:
        super().__init__(parent)
        self.ops = ops
        self.lead_actions = actions  # not `actions`: that name is QWidget.actions()
        self._open = False  # shown: results that arrive while closed are dropped
        self._generation = 0  # answers to an older refresh are dropped
        self._search = ""  # what the rows on screen were read with (for their next pages)
        self._reopening = False
        self.setWindowTitle("Archive")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.resize(820, 480)
        self._build()
        ops.changed.connect(self.refresh)

    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search names, companies, e-mails, tags")
        self.search.setAccessibleName("Search the archive")
        self.search.setClearButtonEnabled(True)
        self._pause = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._pause.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _: self._pause.start())

        self.view = QTableView(self)
        self.view.setAccessibleName("Won and lost leads")
        # The view's child: a model must outlive every paint of the view that shows it.
        self.model = ArchiveTableModel(self.view)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Read-only: a double-click selects a row and changes nothing.
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)  # the reason takes what is left
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in COLUMN_WIDTHS.items():
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.more_wanted.connect(self._load_more)

        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("Archive is empty")
        self.empty.hide()
        self.counts = QLabel(self)
        self.counts.setAccessibleName("Won and lost counts")
        self.status = QLabel(self)
        self.status.setAccessibleName("Status")
        self.status.setWordWrap(True)

        self.reopen_to = QComboBox(self)
        self.reopen_to.setAccessibleName("Reopen in")
        for state in REOPEN_STATES:
            self.reopen_to.addItem(state.label, state)
        to_label = QLabel("&into", self)
        to_label.setBuddy(self.reopen_to)
        self.reopen_button = QPushButton("&Reopen", self)
        self.reopen_button.setToolTip("Put the chosen lead back on the board")
        self.reopen_button.setEnabled(False)
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.reject)
        for button in (self.reopen_button, self.close_button):
            button.setAutoDefault(False)  # Enter in the search field must not reopen a lead

        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.status)
        bottom = QHBoxLayout()
        layout.addLayout(bottom)
        bottom.addWidget(self.counts)
        bottom.addStretch(1)
        for widget in (self.reopen_button, to_label, self.reopen_to, self.close_button):
            bottom.addWidget(widget)

    # --- the window's life -----------------------------------------------------------------

    def present(self) -> None:
        """Show the window, or bring it forward if it is open already (it keeps up by itself)."""
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._open:
            self._open = True
            self.status.clear()
            self.refresh()

    def done(self, result: int) -> None:
        self._open = False
        self._pause.stop()
        super().done(result)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape empties the search first; on an empty search it closes, as in any dialog.
        if event.key() == Qt.Key.Key_Escape and self.search.text():
            self.search.clear()
            self.search.setFocus()
            event.accept()
            return
        super().keyPressEvent(event)

    def _showing(self) -> bool:
        # Closed, or deleted with its parent (which never calls done()): results are dropped.
        return shiboken6.isValid(self) and self._open

    def _run(self, work: Callable[[Database], Any], on_done: Callable[[Any], None]) -> None:
        def done(result: Any) -> None:
            if self._showing():
                on_done(result)

        self.ops.run(work, done)

    # --- reading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the archive again (a change, a search): as many rows as are shown now."""
        if not self._showing():
            return
        self._pause.stop()
        search = self.search.text().strip()
        self._generation += 1
        generation = self._generation
        # Keep as many rows as the table holds, so a refresh does not jump the scroll.
        shown = max(PAGE, self.model.rowCount()) if search == self._search else PAGE

        def show(page: ArchivePage) -> None:
            if generation == self._generation:  # else a newer read is on its way
                self._show(page, search)

        self._run(lambda db: load_archive(db, search or None, limit=shown), show)

    def _load_more(self, offset: int) -> None:
        search, generation = self._search, self._generation

        def append(page: ArchivePage) -> None:
            if generation == self._generation:
                self.model.append_page(page)

        self._run(lambda db: load_archive(db, search or None, offset), append)

    def _show(self, page: ArchivePage, search: str) -> None:
        chosen = self.selected()
        self._search = search
        self.model.set_page(page)
        row = self.model.row_of(chosen.lead.id) if chosen is not None else None
        if row is not None:
            self.view.selectRow(row)
        has_rows = page.total > 0
        self.view.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self.empty.setText("No matches" if search else "Nothing won or lost yet")
        self.counts.setText(f"{page.won:,} won · {page.lost:,} lost" if has_rows else "")
        self._selection_changed()
        self.loaded.emit()

    # --- reopening -------------------------------------------------------------------------

    def selected(self) -> ArchivedLead | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.item_at(rows[0].row()) if rows else None

    def _selection_changed(self, *_: QItemSelection) -> None:
        self.reopen_button.setEnabled(self.selected() is not None and not self._reopening)

    def reopen_selected(self) -> None:
        """Put the selected lead back on the board, in the column chosen beside the button."""
        item = self.selected()
        if item is None or self._reopening:
            return
        state = State(self.reopen_to.currentData())  # Qt hands the enum back as its str
        name = item.lead.name
        self._reopening = True
        self._selection_changed()
        self.status.setText(f"Reopening {name}…")

        def landed(lead_id: int) -> None:
            self._reopening = False
            if self._showing():
                self.status.setText(f"{name} is back in {state.label}.")
                self._selection_changed()
                self.reopened.emit(lead_id)

        def refused(message: str) -> None:
            self._reopening = False
            if self._showing():
                self.status.setText(f"Not reopened: {message}")
                self._selection_changed()
            else:
                self.ops.failed.emit(f"{name} was not reopened: {message}")

        self.lead_actions.move(item.lead.id, state, name=name, on_done=landed, on_error=refused)
