"""Parking a lead in Recycle: when to come back to it, and why it is parked.

The method never parks a lead without a way back, so the date is required; the reason is
what the user will want to read when the lead comes back. Why, as a category (timing, fit,
price...), is one click with the usual one already checked: the stall audit counts it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from followthrough.domain.leads import check_recycle
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.ui.lead.reason import ReasonPicker
from followthrough.ui.timefmt import local_day

# Months are calendar months ("+1mo": the same day next month, 09:00), not four weeks: a
# person who says "in a month" on the 15th means the 15th.
PRESETS = (("In 2 &weeks", "+2w"), ("In 1 &month", "+1mo"), ("In 3 m&onths", "+3mo"))


class RecycleDialog(QDialog):
    def __init__(
        self,
        lead_name: str,
        parent: QWidget | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.setWindowTitle(f"Park {lead_name} in Recycle")
        intro = QLabel(
            f"<b>{_escape(lead_name)}</b> leaves the active columns. Followthrough brings the "
            "lead back to Warm on the day you choose, with your reason beside it.",
            self,
        )
        intro.setWordWrap(True)
        self.until = QLineEdit(self, placeholderText="+1mo, 2027-03-01, mon")
        self.until.setAccessibleName("Come back on")
        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)  # a refusal names what would work: a long sentence
        self.reason = QLineEdit(self, placeholderText="Budget opens in spring")
        self.reason.setAccessibleName("Reason")
        self.picker = ReasonPicker(self)
        presets_row = QWidget(self)  # a widget, not a bare layout, in a form row
        presets = QHBoxLayout(presets_row)
        presets.setContentsMargins(0, 0, 0, 0)
        for label, text in PRESETS:
            button = QPushButton(label, self)
            button.setAccessibleName(label.replace("&", ""))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, text=text: self.until.setText(text))
            presets.addWidget(button)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Park")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("Come back &on", self.until)
        form.addRow("", presets_row)
        form.addRow("", self.hint)
        form.addRow("Why", self.picker)
        form.addRow("&Reason", self.reason)
        form.addRow(self.buttons)
        self.until.textChanged.connect(self.check)
        self.check()

    def chosen(self) -> tuple[datetime, str | None]:
        """The date to come back and the reason (raises InvalidData when the date is not)."""
        now = self.clock()
        text = self.until.text().strip()
        if not text:
            raise InvalidData("choose when to come back to this lead", "until")
        until = parse_when(text, now)
        check_recycle(until, now)
        return until, self.reason.text().strip() or None

    def show_default(self, category: ReasonCategory) -> None:
        self.picker.show_default(category)

    def category(self) -> ReasonCategory | None:
        """The category picked; None when the usual one was kept (the service stores it)."""
        return self.picker.chosen()

    def check(self) -> bool:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            until, _ = self.chosen()
        except InvalidData as exc:
            # Nothing typed yet is a question, not an error.
            self.hint.setText(str(exc) if self.until.text().strip() else "Required")
            self.hint.setProperty("problem", bool(self.until.text().strip()))
            ok.setEnabled(False)
            return False
        self.hint.setText(f"→ {local_day(until)}")
        self.hint.setProperty("problem", False)
        ok.setEnabled(True)
        return True

    def submit(self) -> None:
        if self.check():
            self.accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
