"""The search line above the board: Escape clears it, Enter or ↓ goes to the first match."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

PLACEHOLDER = "Search names, companies, e-mails, tags  (Ctrl+F)"


class SearchField(QLineEdit):
    leave = Signal()  # Escape on an empty field, Enter or ↓: the person is done typing
    first_wanted = Signal()  # Enter or ↓: choose the first card that matches

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(PLACEHOLDER)
        self.setAccessibleName("Search leads")
        self.setClearButtonEnabled(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Here, not at the top: the window builds this field before its first paint, and
        # the first use of Qt's namespace costs a tenth of a bare window's start.
        from PySide6.QtCore import Qt

        key = event.key()
        if key == Qt.Key.Key_Escape:
            if self.text():
                self.clear()  # the board shows every lead again
            else:
                self.leave.emit()
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
            self.first_wanted.emit()
            event.accept()
            return
        super().keyPressEvent(event)
