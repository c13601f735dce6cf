"""One list model per board column: the leads of one state, as cards read them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from followthrough.domain.states import State
from followthrough.services.board_rows import ColumnPage
from followthrough.services.readmodels import LeadView

Index = QModelIndex | QPersistentModelIndex


class LeadRole(IntEnum):
    LEAD = Qt.ItemDataRole.UserRole + 1  # the whole LeadView
    LEAD_ID = Qt.ItemDataRole.UserRole + 2
    COMPANY = Qt.ItemDataRole.UserRole + 3
    NEXT_STEP = Qt.ItemDataRole.UserRole + 4
    DUE = Qt.ItemDataRole.UserRole + 5
    MOMENTUM = Qt.ItemDataRole.UserRole + 6
    OPEN_ALERTS = Qt.ItemDataRole.UserRole + 7


MIME_TYPE = "application/x-followthrough-lead"


class LeadColumnModel(QAbstractListModel):
    """The cards of one column: the first page, and the next ones as the list scrolls."""

    more_wanted = Signal(int)  # the view reached the end: load the cards from this offset
    lead_dropped = Signal(int, str, str)  # lead id, its name, the state it came from

    def __init__(self, state: State, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._leads: list[LeadView] = []
        self.total = 0  # cards in the column, loaded or not
        self._fetching = False

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._leads)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._leads):
            return None
        lead = self._leads[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return lead.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return _spoken(lead)
        if role == Qt.ItemDataRole.ToolTipRole:
            return lead.next_step or "No next step yet"
        read = _ROLES.get(role)
        return read(lead) if read is not None else None

    # --- loading ---------------------------------------------------------------------------

    def set_page(self, page: ColumnPage) -> None:
        """Show a fresh first page (after a change or a new search)."""
        self.beginResetModel()
        self._leads = list(page.leads)
        self.total = page.total
        self._fetching = False
        self.endResetModel()

    def append_page(self, page: ColumnPage) -> None:
        """Add the next cards, if they continue what is shown (a refresh may have raced)."""
        self._fetching = False
        if page.offset != len(self._leads) or not page.leads:
            self.total = page.total
            return
        first = len(self._leads)
        self.beginInsertRows(QModelIndex(), first, first + len(page.leads) - 1)
        self._leads.extend(page.leads)
        self.total = page.total
        self.endInsertRows()

    def set_leads(self, leads: list[LeadView]) -> None:
        """Show these leads (the ones of this column's state, already ordered), all of them."""
        mine = [lead for lead in leads if lead.state is self.state]
        self.set_page(ColumnPage(self.state, len(mine), 0, tuple(mine)))

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._fetching and len(self._leads) < self.total

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.more_wanted.emit(len(self._leads))

    def lead_at(self, row: int) -> LeadView:
        return self._leads[row]

    def row_of(self, lead_id: int) -> int | None:
        return next((i for i, lead in enumerate(self._leads) if lead.id == lead_id), None)

    # --- drag and drop ------------------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        # Dropping anywhere on a column (on a card or between them) means "move here".
        base = super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        mime = QMimeData()
        rows = [i.row() for i in indexes if i.isValid()]
        if rows:
            lead = self._leads[rows[0]]
            payload = {"id": lead.id, "name": lead.name, "state": lead.state.value}
            mime.setData(MIME_TYPE, QByteArray(json.dumps(payload).encode()))
            mime.setText(lead.name)
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        dropped = _dropped_lead(data)
        return dropped is not None and dropped[2] != self.state.value

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        dropped = _dropped_lead(data)
        if dropped is None or dropped[2] == self.state.value:
            return False
        # The move goes through the services (and may ask for a date first); the card
        # reaches this column when the board reloads. No rows are removed or inserted here:
        # removeRows is not implemented, so the source column keeps the card until then.
        self.lead_dropped.emit(*dropped)
        return True


def _dropped_lead(data: QMimeData) -> tuple[int, str, str] | None:
    if not data.hasFormat(MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
        return int(payload["id"]), str(payload["name"]), str(payload["state"])
    except (ValueError, KeyError, TypeError):
        return None


# Read per card per paint: a lookup, not a chain of ifs or a dict built each call.
_ROLES: dict[int, Callable[[LeadView], Any]] = {
    LeadRole.LEAD: lambda lead: lead,
    LeadRole.LEAD_ID: lambda lead: lead.id,
    LeadRole.COMPANY: lambda lead: lead.company,
    LeadRole.NEXT_STEP: lambda lead: lead.next_step,
    LeadRole.DUE: lambda lead: (
        lead.recycle_until if lead.state is State.RECYCLE else lead.next_step_due
    ),
    LeadRole.MOMENTUM: lambda lead: lead.momentum,
    LeadRole.OPEN_ALERTS: lambda lead: lead.open_alerts,
}


def _spoken(lead: LeadView) -> str:
    """What a screen reader says for a card."""
    parts = [lead.name]
    if lead.company:
        parts.append(f"at {lead.company}")
    if lead.next_step:
        parts.append(f"next step: {lead.next_step}")
    if lead.open_alerts:
        parts.append(f"{lead.open_alerts} open alert" + ("" if lead.open_alerts == 1 else "s"))
    return ", ".join(parts)
