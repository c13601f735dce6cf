"""After "Mark as sent": what happens next and when, so the engine can plan the next check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.ui.drafting.highlight import attention_style
from followthrough.ui.timefmt import editable_moment, local_day


class SentForm(QGroupBox):
    confirmed = Signal()
    cancelled = Signal()

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], datetime] = utcnow
    ) -> None:
        super().__init__("After sending: what happens next?", parent)
        self.clock = clock
        self.next_step = QLineEdit(self, placeholderText="Call to agree the pilot scope")
        self.next_step.setAccessibleName("Next step")
        self.due = QLineEdit(self, placeholderText="tomorrow, fri 14:00, +3d, 2026-12-01")
        self.due.setAccessibleName("Next step due")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Next step check")
        self.log = QPushButton("&Log as sent", self)
        self.log.clicked.connect(lambda _checked=False: self.submit())
        # Enter in either field logs (returnPressed below); no button is the dialog's default.
        self.log.setAutoDefault(False)
        self.back = QPushButton("Not &yet", self)
        # Through a lambda: the button's checked flag must not reach a signal that takes
        # nothing (a TypeError on every click).
        self.back.clicked.connect(lambda _checked=False: self.cancelled.emit())
        self.back.setAutoDefault(False)
        # Rows of buttons sit in a widget of their own: a bare layout handed to addRow may be
        # freed by Python while the form still uses it.
        buttons = QWidget(self)
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(self.back)
        row.addWidget(self.log)
        form = QFormLayout(self)
        form.addRow("&Next step", self.next_step)
        form.addRow("D&ue", self.due)
        form.addRow("", self.hint)
        form.addRow(buttons)
        self.next_step.textChanged.connect(self.check)
        self.due.textChanged.connect(self.check)
        self.next_step.returnPressed.connect(self.submit)
        self.due.returnPressed.connect(self.submit)

    def fill(self, step: str, due: datetime | None) -> None:
        self.next_step.setText(step)
        self.due.setText(editable_moment(due) if due else "")
        self.check()

    def chosen(self) -> tuple[str, datetime | None]:
        """The next step ("" clears it) and its due time (None keeps the current one)."""
        step = self.next_step.text().strip()
        text = self.due.text().strip()
        if not text:
            return step, None
        if not step:
            raise InvalidData("a due time needs a next step: say what happens then", "due")
        now = self.clock()
        due = parse_when(text, now)
        if due <= now:
            raise InvalidData("that moment has passed: choose one ahead", "due")
        return step, due

    def check(self) -> bool:
        try:
            step, due = self.chosen()
        except InvalidData as problem:
            self.show_problem(str(problem))
            self.log.setEnabled(False)
            return False
        self.hint.setStyleSheet("")
        if due is not None:
            self.hint.setText(f"→ {local_day(due)}")
        elif step:
            self.hint.setText("No date: the lead keeps its current due time, if any.")
        else:
            self.hint.setText("No next step: a Hot or Warm lead will be flagged as stalled.")
        self.log.setEnabled(True)
        return True

    def show_problem(self, message: str) -> None:
        self.hint.setStyleSheet(attention_style(self.palette()))
        self.hint.setText(message)

    def submit(self) -> None:
        if self.check():
            self.confirmed.emit()
