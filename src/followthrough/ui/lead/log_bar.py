"""The lead panel's quick logging: a note line and one button per signal logged most often,
each with a Ctrl+Shift key (like the Won / Lost keys of the Lead menu).

Every signal goes through LeadActions, so it can be undone.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.signals import SignalKind
from followthrough.services.readmodels import LeadView
from followthrough.ui.actions import LeadActions
from followthrough.ui.lead.inline import problem_colour, sentence

LOG_KEYS = (
    (SignalKind.SENT, "Sent", "Ctrl+Shift+S"),
    (SignalKind.REPLIED, "Replied", "Ctrl+Shift+R"),
    (SignalKind.CALL, "Call", "Ctrl+Shift+C"),
    (SignalKind.MEETING_HELD, "Meeting held", "Ctrl+Shift+H"),
    (SignalKind.MEETING_MISSED, "Meeting missed", "Ctrl+Shift+M"),
    (SignalKind.PROPOSAL_VIEWED, "Proposal viewed", "Ctrl+Shift+V"),
    (SignalKind.NOTE, "Note…", "Ctrl+Shift+N"),
)


class LogBar(QWidget):
    """Logs signals about `lead()`, the lead the panel shows (None: nothing to log about).

    Its actions belong to `home` (the panel), so their keys work wherever the focus is in
    the window, a card on the board included.
    """

    def __init__(
        self,
        actions: LeadActions,
        lead: Callable[[], LeadView | None],
        home: QWidget,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.lead_actions, self.lead = actions, lead
        self.note = QLineEdit(self)
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("What happened (Enter adds it as a note)")
        self.note.returnPressed.connect(lambda: self.log(SignalKind.NOTE))
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem with logging")
        self.problem.hide()
        self.actions_by_kind: dict[SignalKind, QAction] = {}
        self.buttons: dict[SignalKind, QToolButton] = {}
        self.grid = grid = QGridLayout()
        self._columns = 0
        for number, (kind, text, keys) in enumerate(LOG_KEYS):
            action = QAction(text, home)
            action.setShortcut(QKeySequence(keys))
            shown_keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"Log {kind.label.lower()} now ({shown_keys})")
            action.triggered.connect(lambda _checked=False, kind=kind: self.log(kind))
            home.addAction(action)  # window-wide: log while a card on the board has the focus
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAccessibleName(f"Log {kind.label.lower()}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            grid.addWidget(button, number // 3, number % 3)  # laid out again on resize
            self.actions_by_kind[kind], self.buttons[kind] = action, button

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(grid)
        layout.addWidget(self.problem)
        self._colour_problem()

    def enable(self, on: bool) -> None:
        for action in self.actions_by_kind.values():
            action.setEnabled(on)

    def clear(self) -> None:
        """Another lead (or none): what was typed about the previous one does not carry over."""
        self.note.clear()
        self.say("")

    def log(self, kind: SignalKind) -> None:
        """Log a signal now; the note line, when filled, goes with it (a note needs it)."""
        lead = self.lead()
        if lead is None:
            return
        note = self.note.text().strip()
        if kind is SignalKind.NOTE and not note:
            self.note.setFocus()
            self.say("Write the note first, then press Enter.")
            return
        self.say("")
        self.lead_actions.log(
            lead.id,
            kind,
            note=note or None,
            name=lead.name,
            on_done=lambda _id: self._logged(note),
            on_error=lambda message: self.say(sentence(message)),
        )

    def _logged(self, note: str) -> None:
        if note and self.note.text().strip() == note:
            self.note.clear()

    def say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    # --- layout and palette -----------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        """Three buttons a row when their labels fit whole, else two: never a cut label."""
        buttons = list(self.buttons.values())
        widest = max(button.sizeHint().width() for button in buttons)
        spacing = max(self.grid.spacing(), 0)
        columns = 3 if self.width() >= 3 * widest + 2 * spacing else 2
        if columns == self._columns:
            return
        self._columns = columns
        for button in buttons:
            self.grid.removeWidget(button)
        for number, button in enumerate(buttons):
            self.grid.addWidget(button, number // columns, number % columns)
        for column in range(3):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_problem()

    def _colour_problem(self) -> None:
        palette = self.problem.palette()
        palette.setColor(QPalette.ColorRole.WindowText, problem_colour(self.palette()))
        self.problem.setPalette(palette)
