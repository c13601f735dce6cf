"""The changes a user makes to leads from the window, each one undoable.

Every view (board, lead panel, menus) changes leads through these methods, never through the
services directly, so that each change lands on the one undo stack of the window.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.domain.states import State
from followthrough.services import leads
from followthrough.ui.ops import Operations
from followthrough.ui.undo import LeadChange

OnError = Callable[[str], None]


class LeadActions(QObject):
    done = Signal(str)  # a short sentence for the status bar: "Moved Ana Silva to Warm"

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.stack = QUndoStack(self)

    def add(
        self,
        new: NewLead,
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        self._push(
            None,
            f"Add {new.name}",
            lambda db: leads.add_lead(db, new).id,
            on_done,
            on_error,
        )

    def edit(
        self,
        lead_id: int,
        edit: LeadEdit,
        description: str = "Edit lead",
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        self._push(
            lead_id,
            description,
            lambda db: leads.edit_lead(db, lead_id, edit).id,
            on_done,
            on_error,
        )

    def move(
        self,
        lead_id: int,
        state: State,
        *,
        until: datetime | None = None,
        reason: str | None = None,
        name: str = "lead",
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        self._push(
            lead_id,
            f"Move {name} to {state.label}",
            lambda db: leads.move_lead(db, lead_id, state, until=until, reason=reason).id,
            on_done,
            on_error,
        )

    def log(
        self,
        lead_id: int,
        kind: SignalKind,
        *,
        note: str | None = None,
        at: datetime | None = None,
        direction: Direction | None = None,
        channel: Channel | None = None,
        name: str = "lead",
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        self._push(
            lead_id,
            f"Log {kind.label.lower()} for {name}",
            lambda db: (
                leads.log_event(
                    db, lead_id, kind, at=at, direction=direction, channel=channel, note=note
                ).lead_id
            ),
            on_done,
            on_error,
        )

    def delete(
        self,
        lead_id: int,
        name: str = "lead",
        on_done: Callable[[int], None] | None = None,
        on_error: OnError | None = None,
    ) -> None:
        self._push(
            lead_id,
            f"Delete {name}",
            lambda db: leads.delete_lead(db, lead_id).id,
            on_done,
            on_error,
        )

    def _push(
        self,
        lead_id: int | None,
        text: str,
        work: Callable[..., int],
        on_done: Callable[[int], None] | None,
        on_error: OnError | None,
    ) -> None:
        LeadChange.start(self, lead_id, text, work, on_done, on_error)
