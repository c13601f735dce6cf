"""The main window: for now the three columns as plain lists, read through services."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from followthrough import APP_NAME
from followthrough.domain.states import BOARD_STATES
from followthrough.services.lead_queries import list_leads
from followthrough.store.db import Database


class MainWindow(QMainWindow):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db
        self.setWindowTitle(APP_NAME)
        self.resize(960, 600)
        central = QWidget(self)
        row = QHBoxLayout(central)
        self.columns: dict[str, QListWidget] = {}
        self.headers: dict[str, QLabel] = {}
        for state in BOARD_STATES:
            box = QVBoxLayout()
            header = QLabel(state.label, central)
            header.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            column = QListWidget(central)
            column.setObjectName(f"column-{state.value}")
            box.addWidget(header)
            box.addWidget(column)
            row.addLayout(box)
            self.columns[state.value] = column
            self.headers[state.value] = header
        self.setCentralWidget(central)
        self.refresh()

    def refresh(self) -> None:
        leads = list_leads(self._db)
        for state in BOARD_STATES:
            column = self.columns[state.value]
            column.clear()
            names = [lead.label for lead in leads if lead.state is state]
            column.addItems(names)
            self.headers[state.value].setText(f"{state.label} ({len(names)})")
        total = len(leads)
        self.statusBar().showMessage(
            f"{total} leads on the board"
            if total
            else "No leads yet: add one with `followthrough add NAME`"
        )
