"""Marking a lead as Lost: why, in one click, before it leaves the board.

The usual category is checked as the dialog opens, so Enter (or one click on Mark as Lost)
is all the common case takes; Cancel leaves the lead where it was.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from followthrough.domain.leads import REASON_MAX
from followthrough.domain.reasons import ReasonCategory
from followthrough.ui.lead.reason import ReasonPicker


class LostDialog(QDialog):
    def __init__(self, lead_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Mark {lead_name} as Lost")
        intro = QLabel(
            f"<b>{_escape(lead_name)}</b> leaves the board for the archive. Why the lead was "
            "lost is what the stall audit counts.",
            self,
        )
        intro.setWordWrap(True)
        self.picker = ReasonPicker(self)
        self.reason = QLineEdit(self, placeholderText="Went with a bigger vendor")
        self.reason.setAccessibleName("Reason")
        self.reason.setMaxLength(REASON_MAX)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Mark as &Lost")
        ok.setDefault(True)  # Enter keeps the usual category: one key press
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(intro)
        form.addRow("Why", self.picker)
        form.addRow("&Reason", self.reason)
        form.addRow(self.buttons)
        self.reason.setFocus()

    def show_default(self, category: ReasonCategory) -> None:
        self.picker.show_default(category)

    def chosen(self) -> tuple[ReasonCategory | None, str | None]:
        """The category picked (None: the usual one, stored as such) and the free text."""
        return self.picker.chosen(), self.reason.text().strip() or None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
