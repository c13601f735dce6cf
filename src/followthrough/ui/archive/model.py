"""The archive's table: won and lost leads, one per row, loaded a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from followthrough.services.archive import ArchivedLead, ArchivePage
from followthrough.ui.timefmt import local_date, local_day

Index = QModelIndex | QPersistentModelIndex


class ArchiveColumn(IntEnum):
    NAME = 0
    COMPANY = 1
    OUTCOME = 2
    SINCE = 3
    REASON = 4


HEADERS: dict[int, str] = {
    ArchiveColumn.NAME: "Name",
    ArchiveColumn.COMPANY: "Company",
    ArchiveColumn.OUTCOME: "Outcome",
    ArchiveColumn.SINCE: "Since",
    ArchiveColumn.REASON: "Reason",
}
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole ArchivedLead of a row


def _one_line(text: str | None) -> str:
    # A reason may hold line breaks; a table row shows it on one line (the tooltip keeps them).
    return " ".join((text or "").split())


# Read per cell per paint: a lookup, not a chain of ifs.
_SHOWN: dict[int, Callable[[ArchivedLead], str]] = {
    ArchiveColumn.NAME: lambda item: item.lead.name,
    ArchiveColumn.COMPANY: lambda item: item.lead.company or "",
    ArchiveColumn.OUTCOME: lambda item: item.state.label,
    ArchiveColumn.SINCE: lambda item: local_date(item.state_since),
    ArchiveColumn.REASON: lambda item: _one_line(item.reason),
}
_TIPS: dict[int, Callable[[ArchivedLead], str | None]] = {
    ArchiveColumn.SINCE: lambda item: f"{item.state.label} on {local_day(item.state_since)}",
    ArchiveColumn.REASON: lambda item: item.reason,
    ArchiveColumn.NAME: lambda item: item.lead.email,
}


class ArchiveTableModel(QAbstractTableModel):
    """The rows shown: the first page, and the next ones as the table is scrolled."""

    more_wanted = Signal(int)  # the view reached the end: load the rows from this offset

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ArchivedLead] = []
        self.won = 0  # matching the search, loaded or not
        self.lost = 0
        self._fetching = False

    @property
    def total(self) -> int:
        return self.won + self.lost

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(ArchiveColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _SHOWN[index.column()](item)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = _TIPS.get(index.column())
            return tip(item) if tip is not None else None
        if role == ITEM_ROLE:
            return item
        return None

    # --- loading ---------------------------------------------------------------------------

    def set_page(self, page: ArchivePage) -> None:
        """Show a fresh first page (after a change or a new search)."""
        self.beginResetModel()
        self._items = list(page.leads)
        self.won, self.lost = page.won, page.lost
        self._fetching = False
        self.endResetModel()

    def append_page(self, page: ArchivePage) -> None:
        """Add the next rows, if they continue what is shown (a refresh may have raced)."""
        self._fetching = False
        self.won, self.lost = page.won, page.lost
        if page.offset != len(self._items) or not page.leads:
            return
        first = len(self._items)
        self.beginInsertRows(QModelIndex(), first, first + len(page.leads) - 1)
        self._items.extend(page.leads)
        self.endInsertRows()

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._fetching and len(self._items) < self.total

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.more_wanted.emit(len(self._items))

    def item_at(self, row: int) -> ArchivedLead:
        return self._items[row]

    def row_of(self, lead_id: int) -> int | None:
        return next((i for i, item in enumerate(self._items) if item.lead.id == lead_id), None)
