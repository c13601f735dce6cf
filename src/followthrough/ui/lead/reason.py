"""Why a lead left the running: the reason category, picked in one click and changed later.

`ReasonPicker` is the row of buttons the Recycle and Lost dialogs ask with; its usual answer
(domain/reasons.default_reason) arrives from a read and is shown checked, so accepting the
dialog as it opens is the one click the common case needs. `ReasonRow` is the lead panel's
line for a lost or parked lead: "Reason: Timing — budget opens in spring", the category
changeable in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from followthrough.domain.reasons import ASKS_REASON, ReasonCategory, default_reason
from followthrough.domain.states import State
from followthrough.services.readmodels import LeadView
from followthrough.ui.changes import LEADS
from followthrough.ui.ops import Operations

if TYPE_CHECKING:
    from followthrough.services.database import Database

READ = "reason"  # the row's read, of which only the newest answer is shown


def read_default(db: Database, lead_id: int, to: State) -> ReasonCategory:
    """The category a move of this lead to `to` is given when the person says nothing else."""
    # On the worker, on first use: the window shows before the services load.
    from followthrough.services.lead_queries import get_lead
    from followthrough.services.policy import get_policy

    lead = get_lead(db, lead_id).lead
    return default_reason(to, lead.unanswered, get_policy(db).guard_touches)


class ReasonPicker(QWidget):
    """One checkable button per category; the usual one checked once it is known."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Why")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[ReasonCategory, QPushButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for category in ReasonCategory:
            button = QPushButton(category.label, self)
            button.setCheckable(True)
            button.setAccessibleName(category.label)
            # Enter anywhere in the dialog accepts it; it never presses a category.
            button.setAutoDefault(False)
            self.group.addButton(button)
            self.buttons[category] = button
            row.addWidget(button)
        row.addStretch(1)
        self._touched = False
        self.group.buttonClicked.connect(self._picked)

    def _picked(self) -> None:
        self._touched = True

    def show_default(self, category: ReasonCategory) -> None:
        """Check the usual category, unless the person already chose one."""
        if not self._touched:
            self.buttons[category].setChecked(True)

    def checked(self) -> ReasonCategory | None:
        """The category checked on screen (None until the usual one has arrived)."""
        return next((c for c, button in self.buttons.items() if button.isChecked()), None)

    def chosen(self) -> ReasonCategory | None:
        """The person's own choice; None when they kept the usual one (the service stores it)."""
        return self.checked() if self._touched else None


class ReasonRow(QWidget):
    """The panel's "Reason:" line, shown for a lead in Lost or Recycle only."""

    changed = Signal()  # the row shows a new answer (read, or changed by the person)

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.lead_id: int | None = None
        self.title = QLabel("Reason:", self)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName("Reason category")
        self.combo.view().setAccessibleName("Reason categories")
        for category in ReasonCategory:
            self.combo.addItem(category.label, category.value)
        self.title.setBuddy(self.combo)
        self.note = QLabel(self)
        self.note.setAccessibleName("Reason")
        self.note.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setObjectName("hint")
        self.problem.setProperty("problem", True)
        self.problem.setWordWrap(True)
        self.problem.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.title)
        row.addWidget(self.combo)
        row.addWidget(self.note, 1)
        row.addWidget(self.problem, 1)
        # Only the person's pick writes: showing a read answer must not write it back.
        self.combo.activated.connect(self._picked)
        self.hide()

    def text(self) -> str:
        """What the row says: "Reason: Timing — budget opens in spring" ("" when hidden)."""
        if self.isHidden():
            return ""
        note = f" — {self.note.text()}" if self.note.text() else ""
        return f"Reason: {self.combo.currentText()}{note}"

    def category(self) -> ReasonCategory | None:
        """The category shown (None when the row is hidden)."""
        return None if self.isHidden() else ReasonCategory(self.combo.currentData())

    def show_lead(self, lead: LeadView | None, note: str | None) -> None:
        """Show why `lead` is lost or parked (its category read now); hide for any other."""
        self.problem.hide()
        if lead is None or lead.state not in ASKS_REASON:
            self.ops.drop_pending(self, READ)
            self.lead_id = None
            self.hide()
            return
        self.lead_id = lead_id = lead.id
        self.note.setText(note or "")

        def read(db: Database) -> ReasonCategory | None:
            from followthrough.services.feedback import reason_category

            return reason_category(db, lead_id)

        self.ops.run(read, self._show, owner=self, latest=READ)

    def _show(self, category: ReasonCategory | None) -> None:
        if category is None:  # moved before categories were kept: nothing to say or change
            self.hide()
        else:
            self.combo.setCurrentIndex(self.combo.findData(category.value))
            self.show()
        self.changed.emit()

    def _picked(self, index: int) -> None:
        lead_id = self.lead_id
        if lead_id is None:
            return
        category = ReasonCategory(self.combo.itemData(index))

        def write(db: Database) -> ReasonCategory:
            from followthrough.services.feedback import set_reason_category

            return set_reason_category(db, lead_id, category)

        self.ops.run(write, self._show, writes=LEADS, on_error=self._refused, owner=self)

    def _refused(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
