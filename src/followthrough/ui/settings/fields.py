"""What every settings page shares: a place under each field to say why a value was refused."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget


def sentence(message: str) -> str:
    """A service message ('working hours must end…') as a sentence on screen."""
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def warning_colour(palette: QPalette) -> str:
    # A dark red is unreadable on a dark window, a light one washes out on a light window.
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return "#ff7b72" if dark else "#c0392b"


def hint_label(text: str, parent: QWidget) -> QLabel:
    """A short explanation in the palette's secondary text colour."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class SettingsPage(QWidget):
    """A tab of the dialog; knows which of its fields a refused setting name belongs to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._problems: dict[str, QLabel] = {}

    def problem_slot(self, field: str) -> QLabel:
        """A hidden label for `field`, shown only when that value is refused."""
        label = QLabel(self)
        label.setObjectName(f"problem_{field}")
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {warning_colour(self.palette())}")
        label.setAccessibleName("Problem")
        label.hide()
        self._problems[field] = label
        return label

    def owns(self, field: str | None) -> bool:
        return field in self._problems

    def show_problem(self, field: str, message: str) -> QLabel:
        label = self._problems[field]
        label.setText(sentence(message))
        label.show()
        return label

    def problem_text(self, field: str) -> str:
        label = self._problems[field]
        return label.text() if not label.isHidden() else ""

    def clear_problems(self) -> None:
        for label in self._problems.values():
            label.clear()
            label.hide()
