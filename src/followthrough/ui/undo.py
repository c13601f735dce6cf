"""One undoable change to one lead, run on the operations worker.

The change runs first (with a snapshot of the lead before and after it); only when it worked
does a command go on the undo stack. Undo and redo put the other snapshot back, on the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtGui import QUndoCommand, QUndoStack

from followthrough.ui.changes import LEADS

if TYPE_CHECKING:
    from followthrough.services.database import Database
    from followthrough.services.undo import LeadSnapshot
    from followthrough.ui.ops import Operations


class History(Protocol):
    """The undo stack and where its changes run and are told (ui/actions.py's LeadActions)."""

    @property
    def ops(self) -> Operations: ...
    @property
    def stack(self) -> QUndoStack: ...
    @property
    def done(self) -> SignalInstance: ...  # (what happened, the way back)


@dataclass(frozen=True)
class Wording:
    """How a change is named: on the Edit menu ("Undo Move Ana to Warm"), and once done."""

    command: str  # "Move Ana Silva to Warm"
    past: str  # "Moved Ana Silva to Warm"


class LeadChange(QUndoCommand):
    def __init__(
        self, actions: History, wording: Wording, before: LeadSnapshot, after: LeadSnapshot
    ) -> None:
        super().__init__(wording.command)
        self.actions = actions
        self.wording = wording
        self.before = before
        self.after = after
        self._pushed = False

    @property
    def lead_id(self) -> int:
        return self.after.lead_id

    @classmethod
    def start(
        cls,
        actions: History,
        lead_id: int | None,
        wording: Wording,
        work: Callable[[Database], int],
        on_done: Callable[[int], None] | None,
        on_error: Callable[[str], None] | None,
    ) -> None:
        """Run `work` (which returns the id of the lead it changed); push it when it worked.

        The snapshot before, the change and the snapshot after are one transaction on the
        worker (services/undo.py).
        """
        # The change runs for the stack, not for the view that asked: it lands on the stack
        # even when that view has closed meanwhile; only the view's own callbacks are dropped
        # then (and a failure goes to the window's status bar instead).
        ops = actions.ops
        on_done = ops.guard(on_done)
        on_error = ops.guard(on_error, otherwise=ops.failed.emit)

        def run(db: Database) -> tuple[LeadSnapshot, LeadSnapshot]:
            # On the worker, on first use: the window shows before the services load.
            from followthrough.services.undo import record_change

            return record_change(db, lead_id, work)

        def pushed(snapshots: tuple[LeadSnapshot, LeadSnapshot]) -> None:
            before, after = snapshots
            actions.stack.push(cls(actions, wording, before, after))
            actions.done.emit(wording.past, "undo")
            if on_done is not None:
                on_done(after.lead_id)

        owner = actions if isinstance(actions, QObject) else None
        ops.run(run, pushed, writes=LEADS, on_error=on_error, owner=owner)

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push redoes at once; the change is already made
            self._pushed = True
            return
        self._restore(self.after, self.before, f"Redid: {_lower(self.wording.past)}", "undo")

    def undo(self) -> None:
        self._restore(self.before, self.after, f"Undid: {_lower(self.wording.past)}", "redo")

    def _restore(
        self, target: LeadSnapshot, expected: LeadSnapshot, said: str, way_back: str
    ) -> None:
        actions = self.actions

        def refused(message: str) -> None:
            # The stack already stepped; its remaining history rests on a state that is gone.
            actions.ops.failed.emit(f"Cannot undo or redo: {message}")
            QTimer.singleShot(0, actions.stack.clear)

        def restored(now: LeadSnapshot) -> None:
            # Keep the snapshot as actually restored (ids the engine gave new alerts...).
            if target is self.after:
                self.after = now
            else:
                self.before = now
            actions.done.emit(said, way_back)

        def restore(db: Database) -> LeadSnapshot:
            from followthrough.services.undo import restore_snapshot

            return restore_snapshot(db, target, expected)

        actions.ops.run(
            restore,
            restored,
            writes=LEADS,
            on_error=refused,
        )


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]
