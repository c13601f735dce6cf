"""The leads behind a row or a bar, listed beside the report: a click makes one current.

The names and states are read off the GUI thread (`read_leads`), at most LISTED of them; a
lead deleted since the report was read is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from followthrough.errors import NotFound
from followthrough.services.database import Database
from followthrough.services.lead_queries import get_lead
from followthrough.services.readmodels import LeadView

LISTED = 200  # more than a person scans; the rest are counted
ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class LeadsRead:
    leads: tuple[LeadView, ...]
    asked: int  # how many ids the row or bar carried


def read_leads(db: Database, lead_ids: Sequence[int]) -> LeadsRead:
    """On the worker: the first LISTED leads of `lead_ids` that still exist, in that order."""
    found: list[LeadView] = []
    for lead_id in lead_ids[:LISTED]:
        try:
            found.append(get_lead(db, lead_id).lead)
        except NotFound:
            continue  # deleted since the report was read
    return LeadsRead(tuple(found), len(lead_ids))


def lead_line(lead: LeadView) -> str:
    company = f" ({lead.company})" if lead.company else ""
    return f"{lead.name}{company} — {lead.state.label}"


class LeadsList(QWidget):
    chosen = Signal(int)  # the id of the lead clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        font = QFont(self.caption.font())
        font.setBold(True)
        self.caption.setFont(font)
        self.count = QLabel(self)
        self.count.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Leads behind the row")
        self.list.setSpacing(3)
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)  # Enter on the keyboard
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 12, 8, 12)
        layout.addWidget(self.caption)
        layout.addWidget(self.count)
        layout.addWidget(self.list, 1)
        self.setMinimumWidth(220)

    def show_reading(self, caption: str) -> None:
        self.caption.setText(caption)
        self.count.setText("Working…")
        self.list.clear()
        self.show()

    def show_leads(self, read: LeadsRead) -> None:
        self.list.clear()
        for lead in read.leads:
            item = QListWidgetItem(lead_line(lead), self.list)
            item.setData(ID_ROLE, lead.id)
            item.setToolTip(f"Make {lead.name} the current lead")
        shown = len(read.leads)
        if shown == 0:
            self.count.setText("These leads no longer exist.")
        elif read.asked > shown:
            self.count.setText(f"{shown:,} of {read.asked:,} leads — click one to open it")
        else:
            self.count.setText(f"{shown:,} leads — click one to open it")

    def names(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def _clicked(self, item: QListWidgetItem) -> None:
        self.chosen.emit(int(item.data(ID_ROLE)))
