"""An applied suggestion on the main window's undo stack, beside every change to a lead.

Applying runs first (services/insights/suggestions.py, one transaction with the settings
before and after); only then does this command go on the stack, so Edit › Undo (Ctrl+Z) in
the main window takes the suggestion back as it takes back a move, and Redo applies it again.
Undo and redo run on the operations worker, like a lead's (ui/undo.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand

from followthrough.ui.changes import EVERYTHING

if TYPE_CHECKING:
    from followthrough.services.database import Database
    from followthrough.services.insights.suggestions import AppliedSuggestion
    from followthrough.ui.undo import History


def wording(applied: AppliedSuggestion) -> str:
    """ "Apply: Warm silence window: 7 days → 3 days" (the Edit menu adds "Undo ")."""
    return f"Apply: {applied.title.rstrip('?')}"


class SuggestionChange(QUndoCommand):
    def __init__(
        self,
        history: History,
        applied: AppliedSuggestion,
        on_undone: Callable[[AppliedSuggestion], None] | None = None,
        on_redone: Callable[[AppliedSuggestion], None] | None = None,
    ) -> None:
        super().__init__(wording(applied))
        self.history = history
        self.applied = applied
        # Guarded: the Insights window may be closed (or gone) when the menu undoes this.
        self.on_undone = history.ops.guard(on_undone)
        self.on_redone = history.ops.guard(on_redone)
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push redoes at once; it is applied already
            self._pushed = True
            return
        from followthrough.services.insights.suggestions import redo_suggestion

        self._run(redo_suggestion, "Redid", "undo", self.on_redone)

    def undo(self) -> None:
        from followthrough.services.insights.suggestions import undo_suggestion

        self._run(undo_suggestion, "Undid", "redo", self.on_undone)

    def _run(
        self,
        step: Callable[[Database, AppliedSuggestion], AppliedSuggestion],
        said: str,
        way_back: str,
        then: Callable[[AppliedSuggestion], None] | None,
    ) -> None:
        history, applied = self.history, self.applied

        def refused(message: str) -> None:
            # The stack already stepped; what it holds rests on settings that are gone.
            history.ops.failed.emit(f"Cannot undo or redo: {message}")
            QTimer.singleShot(0, history.stack.clear)

        def stepped(now: AppliedSuggestion) -> None:
            self.applied = now  # with the settings as actually restored
            history.done.emit(f"{said}: {_lower(wording(now))}", way_back)
            if then is not None:
                then(now)

        history.ops.run(lambda db: step(db, applied), stepped, writes=EVERYTHING, on_error=refused)


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]
