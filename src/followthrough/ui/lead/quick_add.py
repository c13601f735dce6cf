"""Ctrl+N: add a lead in a small dialog that explains problems inline and loses nothing."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from followthrough.domain.leads import NewLead
from followthrough.domain.states import BOARD_STATES, State
from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData
from followthrough.services import leads
from followthrough.services.clock import utcnow
from followthrough.ui.actions import LeadActions
from followthrough.ui.ops import Operations


class QuickAddDialog(QDialog):
    def __init__(
        self, ops: Operations, parent: QWidget | None = None, actions: LeadActions | None = None
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.actions = actions  # when given, the add goes on the window's undo stack
        self.added: int | None = None  # the new lead's id
        self.setWindowTitle("Add a lead")
        self.name = QLineEdit(self, placeholderText="Ana Silva")
        self.company = QLineEdit(self)
        self.email = QLineEdit(self, placeholderText="ana@acme.com")
        self.state = QComboBox(self)
        for state in BOARD_STATES:
            self.state.addItem(state.label, state.value)  # Qt hands enums back as plain str
        self.next_step = QLineEdit(self, placeholderText="Send the pilot plan")
        self.due = QLineEdit(self, placeholderText="tomorrow, fri 14:00, +3d, 2026-12-01")
        self.until = QLineEdit(self, placeholderText="when to come back: +3w, 2027-03-01")
        self.reason = QLineEdit(self, placeholderText="why it is parked")
        self.problem = QLabel(self)
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c0392b")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout(self)
        for label, widget in (("&Name", self.name), ("&Company", self.company),
                              ("&E-mail", self.email), ("&Column", self.state),
                              ("Next &step", self.next_step), ("&Due", self.due),
                              ("Come back &on", self.until), ("&Reason", self.reason)):  # fmt: skip
            form.addRow(label, widget)
            widget.setAccessibleName(label.replace("&", ""))
        form.addRow(self.problem)
        form.addRow(self.buttons)
        for line in (self.name, self.company, self.email, self.next_step, self.due,
                     self.until, self.reason):  # fmt: skip
            line.textChanged.connect(self.check)
        self.state.currentIndexChanged.connect(self.check)
        self.check()

    def chosen_state(self) -> State:
        return State(self.state.currentData())

    def request(self) -> NewLead:
        """What the form says, checked by the same rules as the CLI (raises InvalidData)."""
        now = utcnow()
        state = self.chosen_state()
        parked = state is State.RECYCLE

        def when(text: str, what: str) -> datetime | None:
            try:
                return parse_when(text, now) if text.strip() else None
            except InvalidData as exc:
                raise InvalidData(f"{what}: {exc}", exc.field) from None

        return NewLead.create(
            name=self.name.text(),
            now=now,
            company=self.company.text(),
            email=self.email.text(),
            state=state,
            next_step=self.next_step.text(),
            next_step_due=when(self.due.text(), "Due"),
            recycle_until=when(self.until.text(), "Come back on") if parked else None,
            recycle_reason=self.reason.text() if parked else None,
        )

    def check(self) -> bool:
        parked = self.chosen_state() is State.RECYCLE
        self.until.setEnabled(parked)
        self.reason.setEnabled(parked)
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if not self.name.text().strip():
            self.problem.setText("")  # an empty form is not an error yet
            ok_button.setEnabled(False)
            return False
        try:
            self.request()
        except InvalidData as exc:
            self.problem.setText(_sentence(str(exc)))
            ok_button.setEnabled(False)
            return False
        self.problem.setText("")
        ok_button.setEnabled(True)
        return True

    def submit(self) -> None:
        if not self.check():
            return
        new = self.request()
        self.buttons.setEnabled(False)
        if self.actions is not None:
            self.actions.add(new, on_done=self._added, on_error=self._refused)
        else:
            self.ops.run(lambda db: leads.add_lead(db, new).id, self._added, writes=True,
                         on_error=self._refused)  # fmt: skip

    def _added(self, lead_id: int) -> None:
        self.added = lead_id
        self.buttons.setEnabled(True)
        self.accept()

    def _refused(self, message: str) -> None:
        # Say why and keep everything typed: the user fixes one field and tries again.
        self.buttons.setEnabled(True)
        self.problem.setText(_sentence(message))


def _sentence(message: str) -> str:
    message = message.replace("(--until)", "(Come back on)").replace("(--next-step)", "(Next step)")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
