"""The feedback loop's last step in the window: at most three suggestions drawn from the
reports' figures, each with its evidence and one Apply; the change just applied can be
undone from the same place (services/insights/suggestions.py does both, in one transaction).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from followthrough.services.clock import local_zone, utcnow
from followthrough.services.database import Database
from followthrough.services.insights.suggestions import (
    AppliedSuggestion,
    Suggestion,
    apply_suggestion,
    list_suggestions,
    undo_suggestion,
)
from followthrough.ui.changes import EVERYTHING
from followthrough.ui.ops import Operations

READ = "suggestions"


class SuggestionsBar(QFrame):
    """A strip above the reports; hidden when the figures suggest nothing."""

    listed = Signal(int)  # how many suggestions are shown after a read
    applied = Signal(str)  # the key of the suggestion just applied
    undone = Signal(str)

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Suggestions")
        self.rows: dict[str, QPushButton] = {}  # a suggestion's key → its Apply button
        self.last: AppliedSuggestion | None = None
        self._layout = QVBoxLayout(self)
        self.heading = QLabel("<b>Suggested from your figures</b>", self)
        self._layout.addWidget(self.heading)
        self._rows = QVBoxLayout()
        self._layout.addLayout(self._rows)
        self.said = QLabel(self)  # what was applied, or why it could not be
        self.said.setWordWrap(True)
        self.undo_button = QPushButton("&Undo", self)
        self.undo_button.setToolTip("Put the setting back as it was")
        self.undo_button.clicked.connect(lambda: self.undo())
        done_row = QHBoxLayout()
        done_row.addWidget(self.said, 1)
        done_row.addWidget(self.undo_button)
        self._layout.addLayout(done_row)
        self.said.hide()
        self.undo_button.hide()
        self.hide()

    # --- reading --------------------------------------------------------------------------

    def refresh(self) -> None:
        now, zone = utcnow(), local_zone()
        self.ops.run(
            lambda db: list_suggestions(db, now, zone),
            self._show,
            on_error=self._say,
            owner=self,
            latest=READ,
        )

    def _show(self, found: tuple[Suggestion, ...]) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows.clear()
        for suggestion in found:
            self._rows.addWidget(self._row(suggestion))
        self.heading.setVisible(bool(found))
        self.setVisible(bool(found) or self.undo_button.isVisible())
        self.listed.emit(len(found))

    def _row(self, suggestion: Suggestion) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        # Escaped: a template's title is the person's own text.
        words = f"{escape(suggestion.title)}<br><small>{escape(suggestion.evidence)}</small>"
        text = QLabel(words, row)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        button = QPushButton(suggestion.action_label, row)
        button.setToolTip("Apply it now; Undo puts it back")
        button.clicked.connect(lambda: self.apply(suggestion.key))
        layout.addWidget(text, 1)
        layout.addWidget(button)
        self.rows[suggestion.key] = button
        return row

    # --- applying and undoing -----------------------------------------------------------

    def apply(self, key: str) -> None:
        now, zone = utcnow(), local_zone()
        self.ops.run(
            lambda db: apply_suggestion(db, key, now, zone),
            self._applied,
            writes=EVERYTHING,  # the policy re-plans every lead; a template may retire
            on_error=self._say,
            owner=self,
        )

    def _applied(self, done: AppliedSuggestion) -> None:
        self.last = done
        self._say(f"Applied: {done.title.rstrip('?')}.")
        self.undo_button.show()
        self.applied.emit(done.key)

    def undo(self) -> None:
        applied = self.last
        if applied is None:
            return

        def run(db: Database) -> AppliedSuggestion:
            return undo_suggestion(db, applied)

        self.ops.run(run, self._undone, writes=EVERYTHING, on_error=self._say, owner=self)

    def _undone(self, done: AppliedSuggestion) -> None:
        self.last = None
        self.undo_button.hide()
        self._say(f"Undone: {done.title.rstrip('?')}.")
        self.undone.emit(done.key)

    def _say(self, message: str) -> None:
        self.said.setText(message)
        self.said.show()
        self.show()
