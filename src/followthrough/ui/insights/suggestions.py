"""The feedback loop's last step in the window: at most three suggestions drawn from the
reports' figures, each with its evidence and one Apply; the change just applied can be
undone from the same place or with Edit › Undo in the main window, where it goes on the undo
stack beside every lead change (suggestion_undo.py); services/insights/suggestions.py does
both, in one transaction.
Templates retired here (or with `templates retire`) stay listed under them, each with a
Bring back, so retiring one never hides it for good.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from followthrough.domain.templates import TemplateSpec
from followthrough.services.clock import local_zone, utcnow
from followthrough.services.database import Database
from followthrough.services.insights.suggestions import (
    AppliedSuggestion,
    Suggestion,
    apply_suggestion,
    list_suggestions,
    undo_suggestion,
)
from followthrough.services.retired_templates import bring_back_template, retired_templates
from followthrough.ui.changes import EVERYTHING, TEMPLATES
from followthrough.ui.insights.suggestion_undo import SuggestionChange
from followthrough.ui.ops import Operations
from followthrough.ui.undo import History

READ = "suggestions"


class SuggestionsBar(QFrame):
    """A strip above the reports; hidden when the figures suggest nothing."""

    listed = Signal(int)  # how many suggestions are shown after a read
    applied = Signal(str)  # the key of the suggestion just applied
    undone = Signal(str)

    def __init__(
        self, ops: Operations, parent: QWidget | None = None, history: History | None = None
    ) -> None:
        """`history`: the main window's undo stack, where an applied suggestion goes."""
        super().__init__(parent)
        self.ops = ops
        self.history = history
        self._command: SuggestionChange | None = None  # the last applied, on the stack
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Suggestions")
        self.rows: dict[str, QPushButton] = {}  # a suggestion's key → its Apply button
        self.retired: dict[str, QPushButton] = {}  # a retired template's slug → Bring back
        self.last: AppliedSuggestion | None = None
        self._layout = QVBoxLayout(self)
        self.heading = QLabel("<b>Suggested from your figures</b>", self)
        self._layout.addWidget(self.heading)
        self._rows = QVBoxLayout()
        self._layout.addLayout(self._rows)
        self.retired_heading = QLabel(
            "<b>Retired templates</b> (drafts no longer offer them)", self
        )
        self._layout.addWidget(self.retired_heading)
        self._retired_rows = QVBoxLayout()
        self._layout.addLayout(self._retired_rows)
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

        def read(db: Database) -> tuple[tuple[Suggestion, ...], list[TemplateSpec]]:
            return list_suggestions(db, now, zone), retired_templates(db)

        self.ops.run(read, self._show, on_error=self._say, owner=self, latest=READ)

    def _show(self, found: tuple[tuple[Suggestion, ...], list[TemplateSpec]]) -> None:
        suggestions, retired = found
        for rows in (self._rows, self._retired_rows):
            while rows.count():
                item = rows.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
        self.rows.clear()
        self.retired.clear()
        for suggestion in suggestions:
            self._rows.addWidget(self._row(suggestion))
        for spec in retired:
            self._retired_rows.addWidget(self._retired_row(spec))
        self.heading.setVisible(bool(suggestions))
        self.retired_heading.setVisible(bool(retired))
        self.setVisible(bool(suggestions or retired) or self.undo_button.isVisible())
        self.listed.emit(len(suggestions))

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

    def _retired_row(self, spec: TemplateSpec) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(spec.title, row), 1)  # plain text: the person's own words
        button = QPushButton("Bring back", row)
        button.setToolTip("Offer this template again when drafting")
        button.clicked.connect(lambda: self.bring_back(spec.slug, spec.title))
        layout.addWidget(button)
        self.retired[spec.slug] = button
        return row

    # --- applying and undoing -----------------------------------------------------------

    def bring_back(self, slug: str, title: str) -> None:
        def brought(_: object) -> None:
            self._say(f"Brought back “{title}”: drafts offer it again.")
            self.refresh()

        self.ops.run(
            lambda db: bring_back_template(db, slug),
            brought,
            writes=TEMPLATES,
            on_error=self._say,
            owner=self,
        )

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
        self._shown_applied(done)
        if self.history is not None:
            self._command = SuggestionChange(self.history, done, self._undone, self._redone)
            self.history.stack.push(self._command)
            self.history.done.emit(f"Applied: {done.title.rstrip('?')}", "undo")
        self.applied.emit(done.key)

    def _redone(self, done: AppliedSuggestion) -> None:
        self._shown_applied(done)
        self.applied.emit(done.key)

    def _shown_applied(self, done: AppliedSuggestion) -> None:
        self.last = done
        self._say(f"Applied: {done.title.rstrip('?')}.")
        self.undo_button.show()

    def undo(self) -> None:
        applied, command, history = self.last, self._command, self.history
        if applied is None:
            return
        if history is not None and command is not None:
            top = history.stack.command(history.stack.index() - 1)
            if top is command:  # the stack's next undo: one history, one way back
                history.stack.undo()
                return
            command.setObsolete(True)  # undone here, out of the stack's order

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
