"""The mapping table: one row per file column, the lead field it fills, and a few examples."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from followthrough.ui.transfer.fields import FIELD_LABELS, NAME_FIELDS, field_label

IGNORE = "(ignore)"
EXAMPLES_SHOWN = 3
_HEADINGS = ("Column in the file", "Lead field", "Examples")


class MappingTable(QTableWidget):
    """Lets the user say which lead field each column of the file fills."""

    mapping_changed = Signal()  # a combo changed: the preview and the checks follow

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(_HEADINGS), parent)
        self.setAccessibleName("Column mapping")
        self.setHorizontalHeaderLabels(list(_HEADINGS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.combos: list[QComboBox] = []

    def show_columns(
        self, columns: tuple[str, ...], rows: list[list[str]], guessed: dict[str, int]
    ) -> None:
        """One row per column, its combo set from the guessed mapping."""
        field_of = {index: field for field, index in guessed.items()}
        self.combos = []
        self.setRowCount(len(columns))
        for index, heading in enumerate(columns):
            name = heading.strip() or f"Column {index + 1}"
            self._set_text(index, 0, name)
            combo = QComboBox(self)
            combo.setAccessibleName(f"Lead field for {name}")
            combo.addItem(IGNORE, None)
            for field, label in FIELD_LABELS.items():
                combo.addItem(label, field)
            guess = field_of.get(index)
            combo.setCurrentIndex(combo.findData(guess) if guess else 0)
            combo.currentIndexChanged.connect(lambda _index: self.mapping_changed.emit())
            self.setCellWidget(index, 1, combo)
            self.combos.append(combo)
            examples = [
                row[index].strip() for row in rows if index < len(row) and row[index].strip()
            ]
            self._set_text(index, 2, " · ".join(examples[:EXAMPLES_SHOWN]))
        self.mapping_changed.emit()

    def _set_text(self, row: int, column: int, text: str) -> None:
        item = QTableWidgetItem(text)
        item.setToolTip(text)
        self.setItem(row, column, item)

    def choose(self, column: int, field: str | None) -> None:
        """Set the field of a column, as picking it in its combo does."""
        combo = self.combos[column]
        combo.setCurrentIndex(combo.findData(field) if field else 0)

    def chosen(self, column: int) -> str | None:
        field = self.combos[column].currentData()
        return str(field) if field else None

    def mapping(self) -> dict[str, int]:
        """Lead field → column index, as chosen; a field chosen twice keeps its first column."""
        mapping: dict[str, int] = {}
        for index in range(len(self.combos)):
            field = self.chosen(index)
            if field and field not in mapping:
                mapping[field] = index
        return mapping

    def problem(self) -> str | None:
        """Why the mapping cannot be imported as it is, in one sentence; None when it can."""
        chosen = Counter(f for f in (self.chosen(i) for i in range(len(self.combos))) if f)
        twice = [field_label(field) for field, count in chosen.items() if count > 1]
        if twice:
            return f"{twice[0]} is chosen for more than one column: keep it for one only."
        if not any(field in chosen for field in NAME_FIELDS):
            return "Choose the column that holds the name (or first and last name)."
        return None
