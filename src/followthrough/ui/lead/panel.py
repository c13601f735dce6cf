"""The lead panel beside the board: the selected lead's fields edited in place, quick buttons
to log what happened, and its timeline.

Every change goes through LeadActions (so it can be undone); reads go through Operations.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.leadfields import clean_tags
from followthrough.domain.leads import LeadEdit
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.services.readmodels import LeadView
from followthrough.ui.actions import LeadActions
from followthrough.ui.board.style import paint_panel
from followthrough.ui.changes import LEADS, Changes
from followthrough.ui.lead.inline import InlineField, problem_colour, sentence
from followthrough.ui.lead.timeline import TimelineModel
from followthrough.ui.ops import Operations
from followthrough.ui.timefmt import editable_moment, local_day, moment_words
from followthrough.ui.undo import Wording

if TYPE_CHECKING:
    from followthrough.services.database import Database
    from followthrough.services.timeline import LeadTimeline

EMPTY_TEXT = "Select a lead to see its details"
READ = "lead"  # the name of the panel's read, of which only the newest answer is shown
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
# The signals logged most often; Ctrl+Shift like the Won / Lost keys of the Lead menu.
LOG_KEYS = (
    (SignalKind.SENT, "Sent", "Ctrl+Shift+S"),
    (SignalKind.REPLIED, "Replied", "Ctrl+Shift+R"),
    (SignalKind.CALL, "Call", "Ctrl+Shift+C"),
    (SignalKind.MEETING_HELD, "Meeting held", "Ctrl+Shift+H"),
    (SignalKind.MEETING_MISSED, "Meeting missed", "Ctrl+Shift+M"),
    (SignalKind.PROPOSAL_VIEWED, "Proposal viewed", "Ctrl+Shift+V"),
    (SignalKind.NOTE, "Note…", "Ctrl+Shift+N"),
)


class LeadPanel(QWidget):
    loaded = Signal()  # the panel shows the lead as last read, or its empty state

    def __init__(
        self,
        ops: Operations,
        actions: LeadActions,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.ops, self.lead_actions, self.clock = ops, actions, clock
        self.lead: LeadView | None = None
        self._wanted: int | None = None  # the lead asked for (its read may be under way)

        self.pages = QStackedWidget(self)
        self.empty = QLabel(EMPTY_TEXT, self.pages)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("Lead details")
        self.details = QWidget(self.pages)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.details)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.addWidget(self.pages)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.state = QLabel(self.details)
        self.state.setAccessibleName("State")
        self.state.setWordWrap(True)
        self.fields = {key: InlineField(label.replace("&", ""), self.details)
                       for key, label, _ in FIELDS}  # fmt: skip
        self.fields["due"].setAccessibleName("Next step due")
        self.fields["tags"].setPlaceholderText("comma, separated")
        self.fields["due"].setPlaceholderText("tomorrow, fri 14:00, +3d, 2026-12-01")
        font = self.fields["name"].font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.fields["name"].setFont(font)
        self.due_hint = QLabel(self.details)
        self.due_hint.setAccessibleName("Due time as read")
        self.due_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        form = QFormLayout()
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

        self.note = QLineEdit(self.details)
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("What happened (Enter adds it as a note)")
        self.note.returnPressed.connect(lambda: self.log(SignalKind.NOTE))
        self.log_problem = QLabel(self.details)
        self.log_problem.setWordWrap(True)
        self.log_problem.setAccessibleName("Problem with logging")
        self.log_problem.hide()
        self.log_actions: dict[SignalKind, QAction] = {}
        self.log_buttons: dict[SignalKind, QToolButton] = {}
        self.log_grid = grid = QGridLayout()
        self._log_columns = 0
        for number, (kind, text, keys) in enumerate(LOG_KEYS):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            shown_keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"Log {kind.label.lower()} now ({shown_keys})")
            action.triggered.connect(lambda _checked=False, kind=kind: self.log(kind))
            self.addAction(action)  # window-wide: log while a card on the board has the focus
            button = QToolButton(self.details)
            button.setDefaultAction(action)
            button.setAccessibleName(f"Log {kind.label.lower()}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            grid.addWidget(button, number // 3, number % 3)  # laid out again on resize
            self.log_actions[kind], self.log_buttons[kind] = action, button

        self.timeline = TimelineModel(self)
        self.timeline_view = QListView(self.details)
        self.timeline_view.setModel(self.timeline)
        self.timeline_view.setAccessibleName("Timeline, newest first")
        self.timeline_view.setUniformItemSizes(True)
        timeline_label = QLabel("T&imeline", self.details)
        timeline_label.setBuddy(self.timeline_view)

        layout = QVBoxLayout(self.details)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addLayout(grid)
        layout.addWidget(self.log_problem)
        layout.addWidget(timeline_label)
        layout.addWidget(self.timeline_view, 1)
        self._colour_problems()
        self._show_empty()
        ops.changed.connect(self._data_changed)

    # --- reading --------------------------------------------------------------------------------

    def show_lead(self, lead_id: int | None) -> None:
        """Show a lead (None: the empty state); its details arrive from the worker."""
        self._wanted = lead_id
        if lead_id is None:
            self.ops.drop_pending(self, READ)  # a lead asked for before is no longer wanted
            self._show_empty()
            return
        self.ops.run(
            lambda db: _read_timeline(db, lead_id),
            self._show,
            on_error=lambda _message: self._gone(),
            owner=self,
            latest=READ,  # the answer about a lead chosen before this one is dropped
        )

    @property
    def wanted(self) -> int | None:
        """The lead the panel shows or is reading (None: empty, or saying why not)."""
        return self._wanted

    def show_absent(self, words: str) -> None:
        """The chosen lead is not on the board: say why instead of showing it stale."""
        self.ops.drop_pending(self, READ)
        self._wanted = None
        self._show_empty(words)

    def refresh(self) -> None:
        if self._wanted is not None:
            self.show_lead(self._wanted)

    def _data_changed(self, changes: Changes) -> None:
        if changes.touches(LEADS):
            self.refresh()

    def _gone(self) -> None:
        # Deleted here or elsewhere (or never there): nothing left to show.
        self._wanted = None
        self._show_empty()

    def _show_empty(self, words: str = EMPTY_TEXT) -> None:
        self.empty.setText(words)
        self.lead = None
        self.timeline.set_items(())
        for field in self.fields.values():
            field.reset("")
        self.note.clear()
        self._say_log("")
        self._enable(False)
        self.pages.setCurrentWidget(self.empty)
        self.loaded.emit()

    def _show(self, found: LeadTimeline) -> None:
        lead = found.lead
        other_lead = self.lead is None or self.lead.id != lead.id
        self.lead = lead
        for key, field in self.fields.items():
            value = _shown(lead, key)
            if other_lead:  # what was typed about the previous lead does not carry over
                field.reset(value)
            else:
                field.show_stored(value)
        if other_lead:
            self.note.clear()
            self._say_log("")
        self.state.setText(_state_words(lead))
        self.timeline.set_items(found.entries)
        self._enable(True)
        self.pages.setCurrentWidget(self.details)
        self.loaded.emit()

    def _enable(self, on: bool) -> None:
        for action in self.log_actions.values():
            action.setEnabled(on)

    # --- editing in place -----------------------------------------------------------------------

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

    # --- logging --------------------------------------------------------------------------------

    def log(self, kind: SignalKind) -> None:
        """Log a signal now; the note line, when filled, goes with it (a note needs it)."""
        lead = self.lead
        if lead is None:
            return
        note = self.note.text().strip()
        if kind is SignalKind.NOTE and not note:
            self.note.setFocus()
            self._say_log("Write the note first, then press Enter.")
            return
        self._say_log("")
        self.lead_actions.log(
            lead.id,
            kind,
            note=note or None,
            name=lead.name,
            on_done=lambda _id: self._logged(note),
            on_error=lambda message: self._say_log(sentence(message)),
        )

    def _logged(self, note: str) -> None:
        if note and self.note.text().strip() == note:
            self.note.clear()

    def _say_log(self, problem: str) -> None:
        self.log_problem.setText(problem)
        self.log_problem.setVisible(bool(problem))

    # --- layout ---------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_panel(self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_log_buttons()

    def _fit_log_buttons(self) -> None:
        """Three buttons a row when their labels fit whole, else two: never a cut label."""
        buttons = list(self.log_buttons.values())
        widest = max(button.sizeHint().width() for button in buttons)
        spacing = max(self.log_grid.spacing(), 0)
        columns = 3 if self.details.width() >= 3 * widest + 2 * spacing else 2
        if columns == self._log_columns:
            return
        self._log_columns = columns
        for button in buttons:
            self.log_grid.removeWidget(button)
        for number, button in enumerate(buttons):
            self.log_grid.addWidget(button, number // columns, number % columns)
        for column in range(3):
            self.log_grid.setColumnStretch(column, 1 if column < columns else 0)

    # --- palette --------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_problems()

    def _colour_problems(self) -> None:
        colour = problem_colour(self.palette())
        for label in [field.problem for field in self.fields.values()] + [self.log_problem]:
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, colour)
            label.setPalette(palette)


def _shown(lead: LeadView, key: str) -> str:
    """A field's stored value as the panel writes it."""
    if key == "tags":
        return ", ".join(lead.tags)
    if key == "due":
        return editable_moment(lead.next_step_due) if lead.next_step_due else ""
    value = getattr(lead, key)
    return value if isinstance(value, str) else ""


def _state_words(lead: LeadView) -> str:
    """'Hot since Mon 23 Nov 10:00 · 1 open alert', or when a parked lead comes back."""
    if lead.state is State.RECYCLE and lead.recycle_until is not None:
        reason = f": {lead.recycle_reason}" if lead.recycle_reason else ""
        words = f"Recycle until {moment_words(lead.recycle_until, utcnow())}{reason}"
    else:
        words = f"{lead.state.label} since {moment_words(lead.state_since, utcnow())}"
    if lead.open_alerts:
        words += f" · {lead.open_alerts} open alert{'s' if lead.open_alerts > 1 else ''}"
    return words


def _read_timeline(db: Database, lead_id: int) -> LeadTimeline:
    # On the worker, on first use: the window shows before the services load.
    from followthrough.services.timeline import lead_timeline

    return lead_timeline(db, lead_id)
