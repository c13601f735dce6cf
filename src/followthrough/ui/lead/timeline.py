"""The lead panel's history list: one line per event or alert, newest first, in local time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from followthrough.services.clock import utcnow
from followthrough.ui.timefmt import moment_words

if TYPE_CHECKING:
    from followthrough.services.timeline import TimelineItem

Index = QModelIndex | QPersistentModelIndex
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
_FROM = {"in": "from the buyer", "out": "from you"}


def entry_line(item: TimelineItem) -> str:
    """'Mon 23 Nov 10:00 · Replied (email, from mail) · asked for the pricing'.

    A signal the app logged by itself says so beside its kind, where a narrow panel still
    shows it, so the person knows it can be taken back.
    """
    how = [item.channel or "", item.source.label]
    what = f"{item.label} ({', '.join(h for h in how if h)})" if any(how) else item.label
    parts = [moment_words(item.at, utcnow()), what, *([item.text] if item.text else [])]
    return " · ".join(parts)


class TimelineModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[TimelineItem] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry_line(item)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            side = _FROM.get(item.direction)
            return f"{entry_line(item)} ({side})" if side else entry_line(item)
        if role == ITEM_ROLE:
            return item
        return None

    def set_items(self, items: tuple[TimelineItem, ...]) -> None:
        if list(items) == self._items:
            return  # a refresh that changed nothing keeps the scroll position and selection
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[TimelineItem]:
        return list(self._items)
