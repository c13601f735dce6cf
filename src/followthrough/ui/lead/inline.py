"""Pieces of the lead panel that other forms reuse: a field edited in place, and how a
problem is worded and coloured next to the field it is about."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget


def problem_colour(palette: QPalette) -> QColor:
    """A red that reads on the current background, light or dark."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff8a80") if dark else QColor("#b3261e")


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


class InlineField(QLineEdit):
    """A field edited in place: Enter or leaving it saves; Escape puts the stored value back."""

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.stored = ""
        self.pending: str | None = None  # the text being saved, so one edit is sent once
        self.accepted: str | None = None  # text saved as typed ("fri"), to show as stored
        self.setAccessibleName(name)
        self.problem = QLabel(parent)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(f"Problem with {name}")
        self.problem.hide()

    @property
    def has_problem(self) -> bool:
        return bool(self.problem.text())

    @property
    def dirty(self) -> bool:
        return self.text() != self.stored

    def show_stored(self, value: str) -> None:
        """Take a freshly read value; text the user typed and has not saved stays as typed."""
        typing = self.dirty and self.text() != self.accepted
        self.stored, self.accepted = value, None
        if not typing and self.text() != value:
            self.setText(value)
            self.setCursorPosition(0)  # a long value shows from its start, not its end

    def reset(self, value: str) -> None:
        self.stored, self.pending, self.accepted = value, None, None
        self.setText(value)
        self.setCursorPosition(0)
        self.say("")

    def say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and (self.dirty or self.has_problem):
            self.reset(self.stored)
            return
        super().keyPressEvent(event)
