"""The one current lead: whatever the person chose last, wherever they chose it.

A card clicked or reached with the keyboard, an alert picked in Today, a search result, a lead
reopened from the Archive: each makes its lead the current one, the one the panel shows and
every lead action (menus, shortcuts, the card menu) acts on. Kept in one object so no action
can read "the selection" of some other widget and act on a lead chosen before.

When the current lead leaves the board (deleted, won or lost, hidden by a search) it stays
remembered, but nothing acts on it and the panel says why; when it comes back (an undo, the
search cleared) it is current again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from followthrough.services.readmodels import LeadView


class CurrentLead(QObject):
    chosen = Signal(object)  # int | None: another lead became current (or none)
    updated = Signal()  # the same lead, read again: its details or its absence changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.id: int | None = None
        self.lead: LeadView | None = None  # as last read (name, state...)
        self.absence: str | None = None  # why it is not on the board: "deleted", …

    def choose(self, lead_id: int | None, lead: LeadView | None = None) -> None:
        if lead_id == self.id:
            if lead is not None:
                self.seen(lead)
            return
        self.id, self.lead, self.absence = lead_id, lead, None
        self.chosen.emit(lead_id)

    def seen(self, lead: LeadView) -> None:
        """A fresh read of the current lead (a card, the panel): it is on the board."""
        if lead.id != self.id:
            return
        changed = lead != self.lead or self.absence is not None
        self.lead, self.absence = lead, None
        if changed:
            self.updated.emit()

    def left(self, absence: str, last_known: LeadView | None = None) -> None:
        """The current lead is no longer on the board as shown; `absence` says why."""
        if last_known is not None:
            self.lead = last_known
        if absence != self.absence:
            self.absence = absence
            self.updated.emit()

    @property
    def name(self) -> str:
        return self.lead.name if self.lead is not None else "this lead"

    @property
    def target(self) -> LeadView | None:
        """The lead an action acts on: the current one, while it is on the board."""
        return self.lead if self.absence is None else None
