"""The board as the main window shows it: read, searched, paged, and the current lead kept.

One read fills the window (services.board_snapshot.read_window: the pages of every column,
the counts, Today's alerts, and where the current lead is now with its details), so after a
change the board, Today and the lead panel show the same moment. It is read again only when
leads, alerts or the follow-up rules moved; a column scrolled to its end asks for its next
page, and a lead chosen is read by the panel alone. Imported on first use (see
MainWindow.attach).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from followthrough.domain.states import State
from followthrough.ui.board.search import SearchField
from followthrough.ui.board.words import absence_words, count_words
from followthrough.ui.changes import LEADS, POLICY, Changes
from followthrough.ui.current import CurrentLead
from followthrough.ui.ops import Operations
from followthrough.ui.workspace import Workspace

if TYPE_CHECKING:
    from followthrough.services.board_rows import BoardSnapshot, ColumnPage, FocusedLead
    from followthrough.services.board_snapshot import WindowRead
    from followthrough.services.database import Database
    from followthrough.services.readmodels import LeadView
    from followthrough.services.timeline import LeadTimeline

BOARD = "board"  # the name of the window's read: only the newest answer is shown
SEARCH_PAUSE_MS = 120  # one query per burst of keystrokes, not one per key
# What a card shows: the lead, its alerts' badges, and its momentum under the rules.
SHOWN = LEADS | POLICY


class PipelineHost(Protocol):
    """What the board tells and asks the window: the main window is one."""

    def say(self, text: str, ms: int = ...) -> None: ...
    def undo_keys(self) -> str: ...
    def archive_keys(self) -> str: ...


class PipelineView(QObject):
    loaded = Signal()  # the board shows the data as of the last refresh
    lead_selected = Signal(int)  # another lead became the current one

    def __init__(
        self,
        ops: Operations,
        workspace: Workspace,
        search: SearchField,
        count: QLabel,
        host: PipelineHost,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.ops, self.workspace, self.search, self.count, self.host = (
            ops, workspace, search, count, host
        )  # fmt: skip
        self.board = workspace.board
        self.today = workspace.today
        self.lead_panel = workspace.lead_panel
        self.current = CurrentLead(self)
        self.has_sample = False  # the sample pipeline is loaded (File › Remove it)

        self._search_pause = QTimer(self)
        self._search_pause.setSingleShot(True)
        self._search_pause.setInterval(SEARCH_PAUSE_MS)
        self._search_pause.timeout.connect(self.refresh)
        search.textChanged.connect(lambda _text: self._search_pause.start())
        search.first_wanted.connect(self._choose_first_match)
        search.leave.connect(self.board.setFocus)
        search.setEnabled(True)

        self.board.chosen.connect(self._card_chosen)
        self.board.more_wanted.connect(self._load_more)
        self.today.lead_selected.connect(lambda lead_id: self.select_lead(lead_id, focus=False))
        self.current.chosen.connect(self._current_chosen)
        self.current.updated.connect(self._current_updated)
        self.lead_panel.loaded.connect(self._panel_read)
        ops.changed.connect(self._data_changed)

    # --- reading ----------------------------------------------------------------------------

    def _data_changed(self, changes: Changes) -> None:
        if changes.touches(SHOWN):
            self.refresh()

    def refresh(self) -> None:
        from followthrough.services.board_rows import PAGE

        query = self.search.text().strip() or None
        # Keep as many cards as each column shows now, so a refresh does not jump the scroll.
        shown = max([PAGE] + [c.model.rowCount() for c in self.board.columns.values()])
        focus = self.current.id
        self.ops.run(
            lambda db: _read_window(db, query, shown, focus),
            lambda read: self._show_window(read, query),
            owner=self,
            latest=BOARD,  # a newer refresh (a keystroke, a change) replaces this one
        )

    def _load_more(self, state: object, offset: int) -> None:
        assert isinstance(state, State)
        query = self.search.text().strip() or None
        self.ops.run(
            lambda db: _read_column_page(db, state, query, offset),
            self.board.append_page,
            owner=self,
            follows=BOARD,  # a page of cards a newer refresh has replaced is dropped
        )

    def show_read(self, board: BoardSnapshot, query: str | None = None) -> None:
        """Show a board read elsewhere (the first look at start-up) as if it were the answer
        to the refresh under way; that refresh's own answer replaces it when it comes."""
        self._show(board, query)

    def _show_window(self, read: WindowRead, query: str | None) -> None:
        self.today.show_alerts(read.today)
        self._show(read.board, query, read.lead)

    def _show(
        self, board: BoardSnapshot, query: str | None, details: LeadTimeline | None = None
    ) -> None:
        self.workspace.show_first_run(board.first_run)
        self.search.setVisible(not board.first_run)
        self.has_sample = board.has_sample
        self.board.show_pages(board.pages, searching=query is not None)
        self.count.setText(count_words(board, query))
        self._follow_current(board.focus, details)
        self.loaded.emit()

    # --- the current lead -------------------------------------------------------------------

    def _follow_current(self, focus: FocusedLead | None, details: LeadTimeline | None) -> None:
        current = self.current
        if current.id is None or focus is None or focus.lead_id != current.id:
            self.board.highlight(current.id, scroll=False)
            return
        if focus.absence is None and focus.lead is not None:
            self.board.highlight(current.id, scroll=False)
            if details is not None:
                # First, so the panel is not asked to read what this read already holds.
                self.lead_panel.show_read(details)
            current.seen(focus.lead)
        else:
            self.board.highlight(None)
            current.left(focus.absence or "gone", focus.lead)

    def select_lead(self, lead_id: int, focus: bool = True) -> bool:
        """Make a lead the current one (Today, a notification, a new lead); True if on view."""
        card = self.board.highlight(lead_id)
        self.current.choose(lead_id, card)
        if card is not None and focus:
            self.board.focus_card(lead_id)
        return card is not None

    def _card_chosen(self, lead: LeadView) -> None:
        self.current.choose(lead.id, lead)
        self.workspace.show_lead()

    def _choose_first_match(self) -> None:
        first = self.board.first_lead()
        if first is None:
            self.host.say("No lead matches the search")
            return
        self.select_lead(first.id)

    def _current_chosen(self, lead_id: int | None) -> None:
        self.today.forget_choice_unless(lead_id)
        self.lead_panel.show_lead(lead_id)
        if lead_id is not None:
            self.lead_selected.emit(lead_id)

    def _current_updated(self) -> None:
        current = self.current
        if current.id is None:
            return
        if current.absence is not None:
            words = absence_words(
                current.name, current.absence, self.host.undo_keys(), self.host.archive_keys()
            )
            self.lead_panel.show_absent(words)
        elif self.lead_panel.wanted != current.id:
            self.lead_panel.show_lead(current.id)

    def _panel_read(self) -> None:
        lead = self.lead_panel.lead
        if lead is not None and lead.id == self.current.id and self.current.absence is None:
            self.current.seen(lead)


# On the worker, on first use: the window shows before the services load (ui/startup.py).
def _read_window(db: Database, query: str | None, shown: int, focus: int | None) -> WindowRead:
    from followthrough.services.board_snapshot import read_window

    return read_window(db, query, shown, focus)


def _read_column_page(db: Database, state: State, query: str | None, offset: int) -> ColumnPage:
    from followthrough.services.board import load_column_page

    return load_column_page(db, state, query, offset)
