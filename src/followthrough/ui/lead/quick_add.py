"""Ctrl+N: add a lead in a small dialog that explains problems inline and loses nothing.

Every rule is the domain's, the same the CLI applies: the dialog asks it about what was typed
and shows the answer under the field it names, so a disabled OK always says why, beside the
field to fix. A refusal never clears a field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from followthrough.domain.leadfields import clean_email, clean_name
from followthrough.domain.leads import NewLead
from followthrough.domain.states import BOARD_STATES, State
from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData
from followthrough.services import leads
from followthrough.services.clock import utcnow
from followthrough.ui.actions import LeadActions
from followthrough.ui.changes import LEADS
from followthrough.ui.fitting import fit_placeholder
from followthrough.ui.lead.inline import problem_colour, sentence
from followthrough.ui.ops import Operations
from followthrough.ui.timefmt import local_day

# The rows of the form, keyed by the field names the domain puts on InvalidData.
ROWS = (
    ("name", "&Name"),
    ("company", "&Company"),
    ("email", "&E-mail"),
    ("state", "&Column"),
    ("next step", "Next &step"),
    ("due", "&Due"),
    ("until", "Come back &on"),
    ("reason", "&Reason"),
)
# Other names the domain uses for the same rows ("e-mail" is the length check's name).
ALIASES = {"e-mail": "email"}
PROBLEM, MISSING, HINT = "problem", "missing", "hint"


class QuickAddDialog(QDialog):
    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        actions: LeadActions | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        # When given, the add goes on the window's undo stack. (Not `actions`: that name is
        # QWidget.actions().)
        self.lead_actions = actions
        self.clock = clock
        self.added: int | None = None  # the new lead's id
        self._fitted = -1  # the height _grow last gave the window
        self._restyle = False  # True while the palette changes: colour every note again
        self.setWindowTitle("Add a lead")
        self.name = QLineEdit(self, placeholderText="Ana Silva")
        self.company = QLineEdit(self, placeholderText="Acme")
        self.email = QLineEdit(self, placeholderText="ana@acme.com")
        self.state = QComboBox(self)
        for state in BOARD_STATES:
            self.state.addItem(state.label, state.value)  # Qt hands enums back as plain str
        self.next_step = QLineEdit(self, placeholderText="Send the pilot plan")
        self.due = QLineEdit(self, placeholderText="tomorrow, fri 14:00, +3d, 2026-12-01")
        self.until = QLineEdit(self, placeholderText="when to come back: +1mo, 2027-03-01")
        self.reason = QLineEdit(self, placeholderText="why it is parked")
        self.fields: dict[str, QWidget] = {
            "name": self.name, "company": self.company, "email": self.email,
            "state": self.state, "next step": self.next_step, "due": self.due,
            "until": self.until, "reason": self.reason,
        }  # fmt: skip
        self.notes: dict[str, QLabel] = {}  # under each field: its problem, or what it means
        self.problem = QLabel(self)  # a refusal that names no field of the form
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label in ROWS:
            widget = self.fields[key]
            self.form.addRow(label, widget)
            widget.setAccessibleName(label.replace("&", ""))
            if isinstance(widget, QLineEdit):
                fit_placeholder(widget)
                widget.textChanged.connect(self.check)
            note = QLabel(self)
            note.setObjectName(f"note_{key.replace(' ', '_')}")
            note.setWordWrap(True)  # a refusal names what would work: it may be long
            note.setAccessibleName(f"{label.replace('&', '')} check")
            self.form.addRow("", note)
            self.notes[key] = note
        self.form.addRow(self.problem)
        self.form.addRow(self.buttons)
        self.state.currentIndexChanged.connect(self.check)
        self.check()

    def chosen_state(self) -> State:
        return State(self.state.currentData())

    def note_text(self, field: str) -> str:
        """What is said under a field ("" when nothing is)."""
        note = self.notes[field]
        return note.text() if not note.isHidden() else ""

    def problems(self) -> tuple[NewLead | None, dict[str, str]]:
        """The lead the form describes, or the domain's objections keyed by field."""
        now = self.clock()
        parked = self.chosen_state() is State.RECYCLE
        found: dict[str, str] = {}

        def ask(field: str, rule: Callable[[], object]) -> object:
            try:
                return rule()
            except InvalidData as exc:
                found[field] = str(exc)
                return None

        # Each field's own rules first, so every field that is wrong says so at once.
        ask("name", lambda: clean_name(self.name.text()))
        ask("email", lambda: clean_email(self.email.text()))
        due = ask("due", lambda: _when(self.due.text(), now))
        until = ask("until", lambda: _when(self.until.text(), now)) if parked else None
        if found:
            return None, found
        try:
            lead = NewLead.create(
                name=self.name.text(),
                now=now,
                company=self.company.text(),
                email=self.email.text(),
                state=self.chosen_state(),
                next_step=self.next_step.text(),
                next_step_due=due if isinstance(due, datetime) else None,
                recycle_until=until if isinstance(until, datetime) else None,
                recycle_reason=self.reason.text() if parked else None,
            )
        except InvalidData as exc:  # a rule across fields, or one no field check covers
            field = ALIASES.get(exc.field or "", exc.field or "")
            return None, {field: str(exc)}
        return lead, {}

    def request(self) -> NewLead:
        """What the form says, checked by the same rules as the CLI (raises InvalidData)."""
        lead, found = self.problems()
        if lead is None:
            field, message = next(iter(found.items()))
            raise InvalidData(message, field or None)
        return lead

    def check(self) -> bool:
        parked = self.chosen_state() is State.RECYCLE
        self.until.setEnabled(parked)
        self.reason.setEnabled(parked)
        lead, found = self.problems()
        for field in self.notes:
            if field in found:
                # An empty field is not wrong yet, only missing: said without alarm.
                kind = MISSING if _empty(self.fields[field]) else PROBLEM
                self._say(field, sentence(found[field]), kind)
            else:
                self._say(field, self._meaning(field, lead), HINT)
        unplaced = [message for field, message in found.items() if field not in self.notes]
        self.problem.setText(" ".join(sentence(message) for message in unplaced))
        self._colour(self.problem, PROBLEM)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(lead is not None)
        self._grow()
        return lead is not None

    def _grow(self) -> None:
        """Fit the height to the messages: a window does not do it for wrapped text."""
        layout = self.form
        width = self.width()
        needed = layout.heightForWidth(width) if layout.hasHeightForWidth() else -1
        needed = max(needed, layout.minimumSize().height())
        # Taller whenever a message needs it; shorter again only down from a height set
        # here, never below a size the person chose.
        if self.isVisible() and (
            needed > self.height() or (self.height() == self._fitted and needed < self._fitted)
        ):
            self.resize(width, needed)
            self._fitted = needed

    def _meaning(self, field: str, lead: NewLead | None) -> str:
        """How a valid time field was read: the date the person will see on the card."""
        if lead is None:
            return ""
        if field == "due" and lead.next_step_due is not None:
            return f"→ {local_day(lead.next_step_due)}"
        if field == "until" and lead.recycle_until is not None:
            return f"→ {local_day(lead.recycle_until)}"
        return ""

    def _say(self, field: str, text: str, kind: str) -> None:
        note = self.notes[field]
        if (note.text(), note.property("kind")) == (text, kind) and not self._restyle:
            return  # every key press checks every field: touch only what changed
        note.setText(text)
        self._colour(note, kind)
        self.form.setRowVisible(note, bool(text))
        self.fields[field].setAccessibleDescription(text)

    def _colour(self, label: QLabel, kind: str) -> None:
        label.setProperty("kind", kind)
        if kind == PROBLEM:
            label.setStyleSheet(f"color: {problem_colour(self.palette()).name()}")
        elif kind == MISSING:
            colour = self.palette().color(QPalette.ColorRole.PlaceholderText)
            label.setStyleSheet(f"color: {colour.name()}")
        else:
            label.setStyleSheet("")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # getattr: Qt may send a palette change while __init__ has not built the notes yet.
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "notes", None):
            self._restyle = True  # the problem red is picked for the background: pick again
            self.check()
            self._restyle = False

    def submit(self) -> None:
        if not self.check():
            return
        new = self.request()
        self.buttons.setEnabled(False)
        if self.lead_actions is not None:
            self.lead_actions.add(new, on_done=self._added, on_error=self._refused)
        else:
            self.ops.run(lambda db: leads.add_lead(db, new).id, self._added, writes=LEADS,
                         on_error=self._refused)  # fmt: skip

    def _added(self, lead_id: int) -> None:
        self.added = lead_id
        self.buttons.setEnabled(True)
        self.accept()

    def _refused(self, message: str) -> None:
        # Say why and keep everything typed: the user fixes one field and tries again.
        self.buttons.setEnabled(True)
        self.problem.setText(sentence(message))
        self._colour(self.problem, PROBLEM)


def _when(text: str, now: datetime) -> datetime | None:
    return parse_when(text, now) if text.strip() else None


def _empty(widget: QWidget) -> bool:
    return isinstance(widget, QLineEdit) and not widget.text().strip()
