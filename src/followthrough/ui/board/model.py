"""One list model per board column: the leads of one state, as cards read them."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from followthrough.domain.states import State
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


class LeadColumnModel(QAbstractListModel):
    def __init__(self, state: State, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._leads: list[LeadView] = []

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
        return (
            {
                LeadRole.LEAD: lead,
                LeadRole.LEAD_ID: lead.id,
                LeadRole.COMPANY: lead.company,
                LeadRole.NEXT_STEP: lead.next_step,
                LeadRole.DUE: lead.recycle_until
                if self.state is State.RECYCLE
                else lead.next_step_due,
                LeadRole.MOMENTUM: lead.momentum,
                LeadRole.OPEN_ALERTS: lead.open_alerts,
            }.get(LeadRole(role))
            if role in LeadRole._value2member_map_
            else None
        )

    def set_leads(self, leads: list[LeadView]) -> None:
        """Show these leads (already filtered to this column's state and ordered)."""
        self.beginResetModel()
        self._leads = [lead for lead in leads if lead.state is self.state]
        self.endResetModel()

    def lead_at(self, row: int) -> LeadView:
        return self._leads[row]

    def row_of(self, lead_id: int) -> int | None:
        return next((i for i, lead in enumerate(self._leads) if lead.id == lead_id), None)


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
