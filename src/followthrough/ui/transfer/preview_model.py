"""The first rows of the file as leads: what the import would make of them, as mapped now."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from followthrough.domain.csvread import CsvRow, lead_fields
from followthrough.ui.transfer.fields import NAME_FIELDS, PREVIEW_FIELDS, field_label

_Index = QModelIndex | QPersistentModelIndex


class ImportedRowsModel(QAbstractTableModel):
    """One row per record, one column per lead field the mapping fills."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []
        self.leads: list[dict[str, str]] = []

    def show(self, rows: list[list[str]], mapping: dict[str, int]) -> None:
        self.beginResetModel()
        # The reader's own rules (first + last → name, tags tidied), so what is shown is
        # what would be stored.
        self.leads = [lead_fields(CsvRow(0, cells), mapping) for cells in rows]
        filled = set(mapping) | ({"name"} if set(mapping) & set(NAME_FIELDS) else set())
        self.fields = [field for field in PREVIEW_FIELDS if field in filled]
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.leads)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.fields)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        return self.leads[index.row()].get(self.fields[index.column()], "")

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return field_label(self.fields[section])
        return str(section + 1)

    def cell(self, row: int, field: str) -> str:
        """What the preview shows for a field of a row ("" when the field is not filled)."""
        return self.leads[row].get(field, "")
