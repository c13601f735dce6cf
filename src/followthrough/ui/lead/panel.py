"""The lead panel beside the board: the selected lead's fields edited in place (form.py),
quick buttons to log what happened (log_bar.py), and its timeline.

This module shows: which lead, its empty state, and the timeline. A lead chosen is read here;
after a change the window's one read brings the lead again (PipelineView, `show_read`).
Every change goes through LeadActions (so it can be undone); reads go through Operations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QListView, QMenu, QStackedWidget, QVBoxLayout, QWidget

from followthrough.domain.signals import EventKind
from followthrough.domain.states import State
from followthrough.services.clock import utcnow
from followthrough.services.readmodels import LeadView
from followthrough.ui.actions import LeadActions
from followthrough.ui.board.style import paint_panel
from followthrough.ui.lead.auto_signals import AutoSignalsSwitch
from followthrough.ui.lead.form import LeadForm
from followthrough.ui.lead.log_bar import LogBar
from followthrough.ui.lead.reason import ReasonRow
from followthrough.ui.lead.timeline import ITEM_ROLE, TimelineModel
from followthrough.ui.ops import Operations
from followthrough.ui.timefmt import moment_words

if TYPE_CHECKING:
    from followthrough.services.database import Database
    from followthrough.services.timeline import LeadTimeline

EMPTY_TEXT = "Select a lead to see its details"
READ = "lead"  # the name of the panel's read, of which only the newest answer is shown


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
        self.reason = ReasonRow(ops, self.details)  # why a lost or parked lead left
        self.form = LeadForm(actions, clock, self.details)
        self.log_bar = LogBar(actions, lambda: self.lead, self, self.details)
        self.auto_signals = AutoSignalsSwitch(ops, actions, self.details)
        # The parts' widgets by the names the window and the tests know them.
        self.fields, self.due_hint = self.form.fields, self.form.due_hint
        self.note, self.log_problem = self.log_bar.note, self.log_bar.problem
        self.log_actions, self.log_buttons = self.log_bar.actions_by_kind, self.log_bar.buttons

        self.timeline = TimelineModel(self)
        self.timeline_view = QListView(self.details)
        self.timeline_view.setModel(self.timeline)
        self.timeline_view.setAccessibleName("Timeline, newest first")
        # Lines wrap: where a signal came from ("from the calendar") and what was said must
        # show in a narrow panel too, not be cut off at its edge.
        self.timeline_view.setWordWrap(True)
        self.timeline_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.timeline_view.setSpacing(2)  # wrapped lines stay apart from the next entry
        # A signal the app logged by itself can be taken back from its own line.
        self.timeline_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.timeline_view.customContextMenuRequested.connect(self._timeline_menu)
        self.timeline_menu: QMenu | None = None  # the one open, for the tests
        timeline_label = QLabel("T&imeline", self.details)
        timeline_label.setBuddy(self.timeline_view)

        layout = QVBoxLayout(self.details)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state)
        layout.addWidget(self.reason)
        layout.addWidget(self.form)
        layout.addWidget(self.log_bar)
        layout.addWidget(self.auto_signals)
        layout.addWidget(timeline_label)
        layout.addWidget(self.timeline_view, 1)
        self._show_empty()

    def _timeline_menu(self, point: QPoint) -> None:
        view, lead = self.timeline_view, self.lead
        index = view.indexAt(point)
        item = index.data(ITEM_ROLE) if index.isValid() else None
        if lead is None or item is None or item.event_id is None or not item.source.automatic:
            return
        view.setCurrentIndex(index)
        menu = QMenu(view)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        action = menu.addAction(f"Not {lead.name}: take back “{item.label}”")
        action.setStatusTip(f"Logged {item.source.label}; it will not match {lead.name} again")
        lead_id, event_id, name, what = lead.id, item.event_id, lead.name, item.label
        action.triggered.connect(
            lambda: self.lead_actions.not_this_lead(lead_id, event_id, name, what)
        )
        self.timeline_menu = menu
        menu.popup(view.viewport().mapToGlobal(point))

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

    def show_read(self, found: LeadTimeline) -> None:
        """Show a lead as read elsewhere, in the same moment as the board (the window's read)."""
        self._wanted = found.lead.id
        self._show(found)

    def refresh(self) -> None:
        """Read the lead shown again (a view without the window's read: its tests)."""
        if self._wanted is not None:
            self.show_lead(self._wanted)

    def _gone(self) -> None:
        # Deleted here or elsewhere (or never there): nothing left to show.
        self._wanted = None
        self._show_empty()

    def _show_empty(self, words: str = EMPTY_TEXT) -> None:
        self.empty.setText(words)
        self.lead = None
        self.timeline.set_items(())
        self.form.show_lead(None)
        self.reason.show_lead(None, None)
        self.log_bar.clear()
        self.log_bar.enable(False)
        self.auto_signals.show_lead(None)
        self.pages.setCurrentWidget(self.empty)
        self.loaded.emit()

    def _show(self, found: LeadTimeline) -> None:
        lead = found.lead
        if self.lead is None or self.lead.id != lead.id:
            self.log_bar.clear()  # what was typed about the previous lead does not carry over
        self.lead = lead
        self.form.show_lead(lead)
        self.state.setText(_state_words(lead))
        self.reason.show_lead(lead, _move_note(found))
        self.timeline.set_items(found.entries)
        self.log_bar.enable(True)
        self.auto_signals.show_lead(lead.id, lead.name)
        self.pages.setCurrentWidget(self.details)
        self.loaded.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_panel(self)


def _state_words(lead: LeadView) -> str:
    """'Hot since Mon 23 Nov 10:00 · 1 open alert', or when a parked lead comes back."""
    if lead.state is State.RECYCLE and lead.recycle_until is not None:
        # Why it is parked reads on the reason line below (ReasonRow).
        words = f"Recycle until {moment_words(lead.recycle_until, utcnow())}"
    else:
        words = f"{lead.state.label} since {moment_words(lead.state_since, utcnow())}"
    if lead.open_alerts:
        words += f" · {lead.open_alerts} open alert{'s' if lead.open_alerts > 1 else ''}"
    return words


def _move_note(found: LeadTimeline) -> str | None:
    """Why the lead is parked or was lost, in the person's words."""
    if found.lead.state is State.RECYCLE:
        return found.lead.recycle_reason
    move = next((e for e in found.entries if e.kind == EventKind.STATE_CHANGE), None)
    return move.text if move is not None else None


def _read_timeline(db: Database, lead_id: int) -> LeadTimeline:
    # On the worker, on first use: the window shows before the services load.
    from followthrough.services.timeline import lead_timeline

    return lead_timeline(db, lead_id)
