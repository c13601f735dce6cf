"""The main window: the Hot / Warm / Recycle board, read through services off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QMainWindow, QVBoxLayout, QWidget

from followthrough import APP_NAME
from followthrough.domain.states import BOARD_STATES
from followthrough.services.lead_queries import list_leads
from followthrough.services.readmodels import LeadView
from followthrough.ui.alerts.today import TodayPanel
from followthrough.ui.board.column import BoardColumn
from followthrough.ui.lead.quick_add import QuickAddDialog
from followthrough.ui.ops import Operations


class MainWindow(QMainWindow):
    board_loaded = Signal()  # the board shows the data as of the last refresh

    def __init__(self, ops: Operations) -> None:
        super().__init__()
        self.ops = ops
        self.setWindowTitle(APP_NAME)
        self.resize(1080, 680)
        central = QWidget(self)
        outer = QVBoxLayout(central)
        self.search = QLineEdit(central)
        self.search.setPlaceholderText("Search names, companies, e-mails, tags  (Ctrl+F)")
        self.search.setAccessibleName("Search leads")
        self.search.setClearButtonEnabled(True)
        outer.addWidget(self.search)
        # Wait for a pause in typing: one query per burst of keystrokes, not one per key.
        self._search_pause = QTimer(self, singleShot=True, interval=120, timeout=self.refresh)
        self.search.textChanged.connect(lambda _: self._search_pause.start())
        find = QAction("&Find", self, shortcut=QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)
        row = QHBoxLayout()
        outer.addLayout(row)
        self.today = TodayPanel(ops, central)
        self.today.setMaximumWidth(360)
        self.today.lead_selected.connect(self.select_lead)
        row.addWidget(self.today)
        self.columns = {state.value: BoardColumn(state, central) for state in BOARD_STATES}
        for column in self.columns.values():
            row.addWidget(column, 1)
        self.setCentralWidget(central)
        add = QAction("&Add a lead…", self, shortcut=QKeySequence.StandardKey.New)
        add.triggered.connect(self.quick_add)
        self.addAction(add)
        self.add_action = add
        ops.changed.connect(self.refresh)
        ops.failed.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.refresh()

    def refresh(self) -> None:
        query = self.search.text().strip() or None
        self.ops.run(lambda db: list_leads(db, search=query), self._show)

    def quick_add(self) -> QuickAddDialog:
        dialog = QuickAddDialog(self.ops, self)
        dialog.accepted.connect(lambda: dialog.added and self.select_after_refresh(dialog.added.id))
        dialog.open()
        return dialog

    def select_after_refresh(self, lead_id: int) -> None:
        self.board_loaded.connect(
            lambda: self.select_lead(lead_id), Qt.ConnectionType.SingleShotConnection
        )

    def select_lead(self, lead_id: int) -> None:
        """Show a lead selected on the board (from the Today list, a notification...)."""
        for column in self.columns.values():
            row = column.model.row_of(lead_id)
            if row is not None:
                column.view.setCurrentIndex(column.model.index(row))
                column.view.scrollTo(column.model.index(row))
                column.view.setFocus()
                return

    def _show(self, leads: list[LeadView]) -> None:
        for column in self.columns.values():
            column.model.set_leads(leads)
        if self.search.text().strip():
            found = f"{len(leads)} lead{'' if len(leads) == 1 else 's'} match"
            self.statusBar().showMessage(found if leads else "No lead matches the search")
        else:
            self.statusBar().showMessage(
                f"{len(leads)} leads on the board" if leads else "No leads yet: add one with Ctrl+N"
            )
        self.board_loaded.emit()
