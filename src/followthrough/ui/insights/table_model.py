"""A report table as a Qt model: cells read as every face reads them, sorted by their values.

A rate shows "9 of 14 (64 %)" and sorts by its share (rated ones above those with too few
cases); a span shows "3.5 days" and sorts by its seconds; an empty cell sorts first.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from followthrough.domain.figures import Rate
from followthrough.domain.reportview import Cell, Row, Span, Table, cell_text

Index = QModelIndex | QPersistentModelIndex
SortKey = tuple[int, float, float, str]
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def sort_key(cell: Cell) -> SortKey:
    """(kind, number, second number, text): numbers by value, text by its letters."""
    if cell is None:
        return (0, 0.0, 0.0, "")
    if isinstance(cell, Rate):
        value = cell.value
        return (1, -1.0, cell.cases, "") if value is None else (2, value, cell.cases, "")
    if isinstance(cell, Span):
        return (0, 0.0, 0.0, "") if cell.seconds is None else (2, cell.seconds, 0.0, "")
    if isinstance(cell, bool | int | float):
        return (2, float(cell), 0.0, "")
    return (3, 0.0, 0.0, cell.casefold())


def _is_number(cell: Cell) -> bool:
    return isinstance(cell, Rate | Span | int | float)


def lead_words(count: int) -> str:
    return "1 lead" if count == 1 else f"{count:,} leads"


class ReportTableModel(QAbstractTableModel):
    def __init__(self, table: Table, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = table
        self.rows: list[Row] = list(table.rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.columns)

    def row_at(self, row: int) -> Row:
        return self.rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        cell = row.cells[index.column()] if index.column() < len(row.cells) else None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if _is_number(cell) else LEFT
        if role == Qt.ItemDataRole.ToolTipRole and row.lead_ids:
            return f"{lead_words(len(row.lead_ids))} — click to see"
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or section >= len(self.table.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.table.columns[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and self.rows:
            first = self.rows[0].cells
            return RIGHT if section < len(first) and _is_number(first[section]) else LEFT
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.table.columns):
            return  # no sort chosen (-1): the report's own order stands

        def key(row: Row) -> SortKey:
            return sort_key(row.cells[column] if column < len(row.cells) else None)

        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()
