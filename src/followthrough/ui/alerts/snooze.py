"""Snoozing an alert until a moment the user types (`fri 14:00`, `+3d`, `2026-12-01`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.ui.timefmt import local_day


class SnoozeDialog(QDialog):
    def __init__(
        self,
        lead_name: str,
        parent: QWidget | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.setWindowTitle(f"Snooze the alert on {lead_name}")
        self.until = QLineEdit(self, placeholderText="fri 14:00, +3d, 2026-12-01")
        self.until.setAccessibleName("Snooze until")
        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Snooze")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Snooze &until", self.until)
        form.addRow("", self.hint)
        form.addRow(self.buttons)
        self.until.textChanged.connect(self.check)
        self.check()

    def chosen(self) -> datetime:
        now = self.clock()
        text = self.until.text().strip()
        if not text:
            raise InvalidData("type when the alert should come back", "until")
        moment = parse_when(text, now)
        if moment <= now:
            raise InvalidData("that moment has passed: choose one ahead", "until")
        return moment

    def check(self) -> bool:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            moment = self.chosen()
        except InvalidData as exc:
            self.hint.setText(str(exc) if self.until.text().strip() else "")
            ok.setEnabled(False)
            return False
        self.hint.setText(f"→ {local_day(moment)}")
        ok.setEnabled(True)
        return True

    def submit(self) -> None:
        if self.check():
            self.accept()
