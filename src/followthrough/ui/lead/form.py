"""The lead panel's fields, edited in place: Enter or leaving a field saves it (through
LeadActions, so it can be undone); a value the services refuse is said under its field and
stays as typed, to be fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from followthrough.domain.leadfields import clean_tags
from followthrough.domain.leads import LeadEdit
from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData
from followthrough.services.readmodels import LeadView
from followthrough.ui.actions import LeadActions
from followthrough.ui.lead.inline import InlineField, problem_colour, sentence
from followthrough.ui.timefmt import editable_moment, local_day
from followthrough.ui.undo import Wording

# (field key, form label with its mnemonic, what an undo entry calls it)
FIELDS = (
    ("name", "&Name", "name"),
    ("company", "&Company", "company"),
    ("email", "E-m&ail", "e-mail"),
    ("phone", "&Phone", "phone"),
    ("title", "&Title", "title"),
    ("tags", "Ta&gs", "tags"),
    ("next_step", "Ne&xt step", "next step"),
    ("due", "D&ue", "due time"),
)


class LeadForm(QWidget):
    """The fields of the lead the panel shows (`lead`; None: no lead, nothing is saved)."""

    def __init__(
        self, actions: LeadActions, clock: Callable[[], datetime], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.lead_actions, self.clock = actions, clock
        self.lead: LeadView | None = None
        self.fields = {key: InlineField(label.replace("&", ""), self)
                       for key, label, _ in FIELDS}  # fmt: skip
        self.fields["due"].setAccessibleName("Next step due")
        self.fields["tags"].setPlaceholderText("comma, separated")
        self.fields["due"].setPlaceholderText("tomorrow, fri 14:00, +3d, 2026-12-01")
        font = self.fields["name"].font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.fields["name"].setFont(font)
        self.due_hint = QLabel(self)
        self.due_hint.setAccessibleName("Due time as read")
        self.due_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for key, label, _ in FIELDS:
            field = self.fields[key]
            cell_widget = QWidget(self)  # a widget, not a bare layout, in a form row
            cell = QVBoxLayout(cell_widget)
            cell.setContentsMargins(0, 0, 0, 0)
            cell.setSpacing(0)
            cell.addWidget(field)
            if key == "due":
                cell.addWidget(self.due_hint)
            cell.addWidget(field.problem)
            form.addRow(label, cell_widget)
            buddy = form.labelForField(cell_widget)
            if isinstance(buddy, QLabel):
                buddy.setBuddy(field)
            field.editingFinished.connect(lambda key=key: self._commit(key))
            field.textEdited.connect(lambda _text, key=key: self._recheck(key))
        self.fields["due"].textChanged.connect(self._hint_due)
        self._colour_problems()

    def show_lead(self, lead: LeadView | None) -> None:
        """Show a lead as read: another lead starts afresh, the same one keeps what is typed."""
        other_lead = lead is None or self.lead is None or self.lead.id != lead.id
        self.lead = lead
        for key, field in self.fields.items():
            value = _shown(lead, key) if lead is not None else ""
            if other_lead:  # what was typed about the previous lead does not carry over
                field.reset(value)
            else:
                field.show_stored(value)

    # --- saving -----------------------------------------------------------------------------

    def _edit_for(self, key: str, text: str) -> LeadEdit | None:
        """The change the field asks for (None: it asks for nothing new); raises InvalidData."""
        lead = self.lead
        assert lead is not None
        if key == "tags":
            tags = clean_tags(text.split(","))
            if [t.casefold() for t in tags] == [t.casefold() for t in lead.tags]:
                return None
            # Dropping every tag and adding the new list keeps the order the user typed.
            return LeadEdit.create(remove_tags=lead.tags, add_tags=tags)
        if key == "due":
            if not text.strip():
                raise InvalidData("a due time stays until the next step is cleared", "due")
            due = parse_when(text, self.clock())
            if not self.fields["next_step"].text().strip():
                raise InvalidData("write the next step before its due time", "due")
            return None if due == lead.next_step_due else LeadEdit.create(next_step_due=due)
        asked: dict[str, Any] = {key: text}
        edit = LeadEdit.create(**asked)
        stored = getattr(lead, key) or ""
        return None if getattr(edit, key) == stored else edit

    def _commit(self, key: str) -> None:
        field, lead = self.fields[key], self.lead
        if lead is None or not field.dirty or field.text() == field.pending:
            return
        try:
            edit = self._edit_for(key, field.text())
        except InvalidData as exc:
            field.say(sentence(str(exc)))
            return
        field.say("")
        if edit is None:
            field.setText(field.stored)  # the same value written differently
            return
        field.pending = field.text()
        what = next(words for k, _, words in FIELDS if k == key)
        self.lead_actions.edit(
            lead.id,
            edit,
            Wording(f"Change {what} of {lead.name}", f"Changed the {what} of {lead.name}"),
            on_done=lambda _id: self._saved(key),
            on_error=lambda message: self._refused(key, lead.id, message),
        )

    def _saved(self, key: str) -> None:
        field = self.fields[key]
        field.accepted, field.pending = field.pending, None

    def _refused(self, key: str, lead_id: int, message: str) -> None:
        field = self.fields[key]
        field.pending = None
        if self.lead is not None and self.lead.id == lead_id:
            field.say(sentence(message))  # what was typed stays, to be fixed

    def _recheck(self, key: str) -> None:
        """Once a field has said what is wrong, say it again (or stop) as the user fixes it."""
        field = self.fields[key]
        if self.lead is None or not field.has_problem:
            return
        try:
            self._edit_for(key, field.text())
        except InvalidData as exc:
            field.say(sentence(str(exc)))
        else:
            field.say("")

    def _hint_due(self, text: str) -> None:
        field = self.fields["due"]
        hint = ""
        if text.strip() and field.dirty:
            # Half typed, it reads as nothing yet: the field says what is wrong when saved.
            with suppress(InvalidData):
                hint = f"→ {local_day(parse_when(text, self.clock()))}"
        self.due_hint.setText(hint)

    # --- palette ----------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_problems()

    def _colour_problems(self) -> None:
        colour = problem_colour(self.palette())
        for field in self.fields.values():
            palette = field.problem.palette()
            palette.setColor(QPalette.ColorRole.WindowText, colour)
            field.problem.setPalette(palette)


def _shown(lead: LeadView, key: str) -> str:
    """A field's stored value as the panel writes it."""
    if key == "tags":
        return ", ".join(lead.tags)
    if key == "due":
        return editable_moment(lead.next_step_due) if lead.next_step_due else ""
    value = getattr(lead, key)
    return value if isinstance(value, str) else ""
