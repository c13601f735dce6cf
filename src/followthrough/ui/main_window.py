"""The main window: Today, the Hot / Warm / Recycle board and the current lead, side by side.

The frame paints before the database layer is imported (see attach()); the board, the panes
and the menus are built once the data is there. Everything a lead action targets is the one
current lead (ui/current.py); the board, Today, search and the Archive only choose it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from followthrough import APP_NAME
from followthrough.domain.states import BOARD_STATES
from followthrough.ui.board.search import SearchField

if TYPE_CHECKING:
    # The window paints before the database layer is even imported (see attach()).
    from followthrough.domain.states import State
    from followthrough.services.board_rows import BoardSnapshot, ColumnPage, FocusedLead
    from followthrough.services.database import Database
    from followthrough.services.first_look import FirstLook
    from followthrough.services.readmodels import LeadView
    from followthrough.services.transfer import ImportReport
    from followthrough.ui.about import AboutDialog
    from followthrough.ui.actions import LeadActions
    from followthrough.ui.archive.dialog import ArchiveDialog
    from followthrough.ui.backups_dialog import BackupsDialog
    from followthrough.ui.board.column import BoardColumn
    from followthrough.ui.drafting.dialog import DraftDialog
    from followthrough.ui.drafting.editor import TemplateEditor
    from followthrough.ui.lead.quick_add import QuickAddDialog
    from followthrough.ui.ops import Operations
    from followthrough.ui.settings import SettingsDialog
    from followthrough.ui.shortcuts import ShortcutSheet
    from followthrough.ui.transfer.import_dialog import ImportDialog

DEFAULT_SIZE = (1280, 800)


class MainWindow(QMainWindow):
    board_loaded = Signal()  # the board shows the data as of the last refresh
    lead_selected = Signal(int)  # another lead became the current one
    quit_requested = Signal()  # File > Quit: the app decides (it may live on in the tray)
    hidden_to_tray = Signal()  # the window was closed but the app runs on in the tray
    check_mail_requested = Signal()  # File > Check mail now (F5)
    mail_account_changed = Signal()  # the Mail settings tab saved or forgot the account

    def __init__(self, ops: Operations | None = None, actions: LeadActions | None = None) -> None:
        """The window's frame; with `ops`, attached to the data at once (see attach)."""
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(*DEFAULT_SIZE)
        self._board_generation = 0  # answers to an older refresh are dropped
        central = QWidget(self)
        self.outer = QVBoxLayout(central)
        self.outer.setContentsMargins(10, 8, 10, 4)
        self.search = SearchField(central)
        self.search.setEnabled(False)
        self.outer.addWidget(self.search)
        # Until the data is attached: the columns' titles, so the first paint is the board.
        # (Plain HTML, not Qt's alignment flags: the first use of the `Qt` namespace costs as
        # much as a tenth of a bare window's start, and this code runs before the first paint.)
        self._skeleton_row = QHBoxLayout()
        self.outer.addLayout(self._skeleton_row, 1)
        self._skeleton = [
            QLabel(f"<div align='center'><b>{state.label}</b></div>", central)
            for state in BOARD_STATES
        ]
        for label in self._skeleton:
            self._skeleton_row.addWidget(label, 1)
        self.setCentralWidget(central)
        # What the pipeline holds stays in view; messages about actions come and go beside it.
        self.board_count = QLabel("Opening your pipeline…", self)
        self.board_count.setAccessibleName("Leads stored")
        self.statusBar().addPermanentWidget(self.board_count)
        # A mail problem stays in sight while it lasts (hidden while all is well).
        self.mail_status = QLabel(self)
        self.mail_status.setAccessibleName("Mail watching")
        self.mail_status.hide()
        self.statusBar().addWidget(self.mail_status)
        self.columns: dict[str, BoardColumn] = {}  # state value → column, once attached
        self._archive: ArchiveDialog | None = None
        # Set by the app when a tray icon exists: closing the window then only hides it.
        self.keep_running_in_tray: Callable[[], bool] = lambda: False
        if ops is not None:
            self.attach(ops, actions)

    def attach(self, ops: Operations, actions: LeadActions | None = None) -> None:
        """Build what shows and changes data: the board, Today, the lead panel, the menus."""
        from followthrough.ui.actions import LeadActions
        from followthrough.ui.current import CurrentLead
        from followthrough.ui.lead_commands import LeadCommands
        from followthrough.ui.window_menus import install_menus
        from followthrough.ui.workspace import Workspace

        self.ops = ops
        self.actions = actions or LeadActions(ops, self)
        self.current = CurrentLead(self)
        self.commands = LeadCommands(self)
        for label in self._skeleton:
            self._skeleton_row.removeWidget(label)
            label.deleteLater()
        self._skeleton = []
        self.workspace = Workspace(ops, self.actions, self.centralWidget())
        self._skeleton_row.addWidget(self.workspace)
        self.board = self.workspace.board
        self.columns = self.board.columns
        self.today = self.workspace.today
        self.lead_panel = self.workspace.lead_panel
        self.first_run = self.workspace.first_run
        install_menus(self)
        self.workspace.fit(self.width())

        # Wait for a pause in typing: one query per burst of keystrokes, not one per key.
        self._search_pause = QTimer(self, singleShot=True, interval=120, timeout=self.refresh)
        self.search.textChanged.connect(lambda _: self._search_pause.start())
        self.search.first_wanted.connect(self._choose_first_match)
        self.search.leave.connect(self.board.setFocus)
        self.search.setEnabled(True)

        self.board.chosen.connect(self._card_chosen)
        self.board.dropped.connect(self.commands.move_lead)
        self.board.menu_wanted.connect(self.commands.card_menu)
        self.board.more_wanted.connect(self._load_more)
        self.today.lead_selected.connect(lambda lead_id: self.select_lead(lead_id, focus=False))
        self.today.draft_requested.connect(self.open_draft)
        self.current.chosen.connect(self._current_chosen)
        self.current.updated.connect(self._current_updated)
        self.lead_panel.loaded.connect(self._panel_read)
        self.first_run.add_requested.connect(self.quick_add)
        self.first_run.import_requested.connect(self.open_import)
        self.first_run.sample_loaded.connect(
            lambda n: self.say(
                f"Added {n} sample leads to explore. File › Remove the sample leads takes them "
                "away again.",
                10000,
            )
        )
        self.actions.done.connect(self._said)
        ops.changed.connect(self.refresh)
        ops.failed.connect(lambda message: self.say(message, 8000))
        self.refresh()

    # --- opening things -------------------------------------------------------------------

    def _dialog(self, dialog: Any) -> Any:
        """Open a dialog window-modal; it deletes itself when closed."""
        from PySide6.QtCore import Qt

        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_draft(self, lead_id: int, alert_id: int | None = None) -> DraftDialog:
        """The follow-up for a lead (and the alert it answers), ready to edit and send."""
        from followthrough.ui.drafting.dialog import DraftDialog

        dialog = DraftDialog(self.ops, lead_id, alert_id, self, actions=self.actions)
        return self._dialog(dialog)  # type: ignore[no-any-return]

    def draft_for_alert(self, alert_id: int) -> None:
        """From a notification's Draft button: find the alert's lead, then draft."""
        from followthrough.services.alerts import get_alert

        self.ops.run(
            lambda db: get_alert(db, alert_id),
            lambda alert: self.open_draft(alert.lead_id, alert.id),
            owner=self,
        )

    def open_templates(self) -> TemplateEditor:
        from PySide6.QtCore import Qt

        from followthrough.ui.drafting.editor import TemplateEditor

        editor = TemplateEditor(self.ops, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.show()
        return editor

    def open_settings(self) -> SettingsDialog:
        from followthrough.ui.settings import SettingsDialog

        dialog = SettingsDialog(self.ops, self)
        dialog.mail.saved.connect(lambda _account: self.mail_account_changed.emit())
        dialog.mail.forgotten.connect(lambda: self.mail_account_changed.emit())
        return self._dialog(dialog)  # type: ignore[no-any-return]

    def open_import(self) -> ImportDialog:
        from followthrough.ui.transfer.import_dialog import ImportDialog

        dialog = ImportDialog(self.ops, self)
        dialog.import_finished.connect(self._imported)
        return self._dialog(dialog)  # type: ignore[no-any-return]

    def _imported(self, report: ImportReport) -> None:
        if not report.dry_run:
            self.say(f"Imported {report.added:,} leads", 8000)

    def export_data(self) -> None:
        from followthrough.ui.export_action import export_data

        export_data(self, self.ops)

    def open_backups(self) -> BackupsDialog:
        from followthrough.ui.backups_dialog import BackupsDialog

        # Leads on the undo stack may not exist in the restored data.
        dialog = BackupsDialog(self.ops, self, on_restored=self.actions.stack.clear)
        return self._dialog(dialog)  # type: ignore[no-any-return]

    def open_archive(self) -> ArchiveDialog:
        """The won and lost leads; one window, brought forward when it is open already."""
        from followthrough.ui.archive.dialog import ArchiveDialog

        if self._archive is None:
            self._archive = ArchiveDialog(self.ops, self.actions, self)
            self._archive.reopened.connect(self.select_after_refresh)
        self._archive.present()
        return self._archive

    def show_about(self) -> AboutDialog:
        from followthrough.ui.about import AboutDialog

        return self._dialog(AboutDialog(self.ops.path.parent, self))  # type: ignore[no-any-return]

    def show_shortcuts(self) -> ShortcutSheet:
        from followthrough.ui.shortcuts import ShortcutSheet

        sheet = ShortcutSheet(self.menuBar(), self)
        sheet.open()
        return sheet

    def quick_add(self) -> QuickAddDialog:
        from followthrough.ui.lead.quick_add import QuickAddDialog

        dialog = QuickAddDialog(self.ops, self, self.actions)
        dialog.accepted.connect(lambda: dialog.added and self.select_after_refresh(dialog.added))
        dialog.open()
        return dialog

    # --- telling the person ---------------------------------------------------------------

    def say(self, text: str, ms: int = 6000) -> None:
        self.statusBar().showMessage(text, ms)

    def undo_keys(self) -> str:
        return self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)

    def _said(self, text: str, way_back: str) -> None:
        """A change, in the past tense, with the way back when there is one."""
        if way_back == "undo":
            text = f"{text} — {self.undo_keys()} undoes it"
        elif way_back == "redo":
            keys = self.redo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            text = f"{text} — {keys} redoes it"
        self.say(text, 8000)

    def show_mail_status(self, text: str) -> None:
        """A mail problem stays in the status bar while it lasts; "" clears it."""
        self.mail_status.setText(text)
        self.mail_status.setVisible(bool(text))

    def mail_logged(self, count: int) -> None:
        entries = "1 entry" if count == 1 else f"{count} entries"
        self.say(f"Logged {entries} from your mailbox", 8000)

    def clear_sample(self) -> object:
        return self.commands.clear_sample()

    # --- the window's life ----------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.keep_running_in_tray():
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        super().closeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.columns:
            self.workspace.fit(self.width())

    def bring_forward(self, lead_id: int | None = None, today: bool = False) -> None:
        """Show the window on top (from the tray, a notification, a second start)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        if lead_id is not None and self.columns:
            self.select_lead(lead_id)
        elif today and self.columns:
            self.workspace.show_today()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- the board ------------------------------------------------------------------------

    def refresh(self) -> None:
        from followthrough.services.board_rows import PAGE

        query = self.search.text().strip() or None
        self._board_generation += 1
        generation = self._board_generation
        # Keep as many cards as each column shows now, so a refresh does not jump the scroll.
        shown = max([PAGE] + [c.model.rowCount() for c in self.columns.values()])
        focus = self.current.id
        self.ops.run(
            lambda db: _read_board(db, query, shown, focus),
            lambda board: self._show(board, query, generation),
        )

    def _load_more(self, state: object, offset: int) -> None:
        from followthrough.domain.states import State

        assert isinstance(state, State)
        query = self.search.text().strip() or None
        generation = self._board_generation

        def append(page: ColumnPage) -> None:
            if generation == self._board_generation:
                self.board.append_page(page)

        self.ops.run(lambda db: _read_column_page(db, state, query, offset), append)

    def show_first_look(self, look: FirstLook) -> None:
        """The pipeline as read at start-up, while the database layer loads (see startup.py).

        Shown as if it were the answer to the refresh queued at attach; that refresh's own
        answer, read through the database layer, replaces it when the file is open.
        """
        if self.search.text().strip():
            return  # the person is already searching: their query's answer is on its way
        self._show(look.board, None, self._board_generation)
        self.today.show_alerts(look.today)

    def _show(self, board: BoardSnapshot, query: str | None, generation: int) -> None:
        from followthrough.ui.board.words import count_words

        if generation != self._board_generation:
            return  # a newer refresh (another keystroke, another change) is on its way
        self.workspace.show_first_run(board.first_run)
        self.search.setVisible(not board.first_run)
        self.clear_sample_action.setEnabled(board.has_sample)
        self.board.show_pages(board.pages, searching=query is not None)
        self.board_count.setText(count_words(board, query))
        self._follow_current(board.focus)
        self.board_loaded.emit()

    def _follow_current(self, focus: FocusedLead | None) -> None:
        current = self.current
        if current.id is None or focus is None or focus.lead_id != current.id:
            self.board.highlight(current.id, scroll=False)
            return
        if focus.absence is None and focus.lead is not None:
            self.board.highlight(current.id, scroll=False)
            current.seen(focus.lead)
        else:
            self.board.highlight(None)
            current.left(focus.absence or "gone", focus.lead)

    def select_after_refresh(self, lead_id: int) -> None:
        from PySide6.QtCore import Qt

        self.board_loaded.connect(
            lambda: self.select_lead(lead_id), Qt.ConnectionType.SingleShotConnection
        )

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
            self.say("No lead matches the search")
            return
        self.select_lead(first.id)

    def current_lead(self) -> LeadView | None:
        """The lead every action acts on (None when none is chosen or it left the board)."""
        return self.current.target if self.columns else None

    def _current_chosen(self, lead_id: int | None) -> None:
        self.today.forget_choice_unless(lead_id)
        self.lead_panel.show_lead(lead_id)
        if lead_id is not None:
            self.lead_selected.emit(lead_id)

    def _current_updated(self) -> None:
        from followthrough.ui.board.words import absence_words

        current = self.current
        if current.id is None:
            return
        if current.absence is not None:
            archive_keys = self.archive_action.shortcut().toString(
                QKeySequence.SequenceFormat.NativeText
            )
            words = absence_words(current.name, current.absence, self.undo_keys(), archive_keys)
            self.lead_panel.show_absent(words)
        elif self.lead_panel.wanted != current.id:
            self.lead_panel.show_lead(current.id)

    def _panel_read(self) -> None:
        lead = self.lead_panel.lead
        if lead is not None and lead.id == self.current.id and self.current.absence is None:
            self.current.seen(lead)


# On the worker, on first use: the window shows before the services load (ui/startup.py).
def _read_board(db: Database, query: str | None, shown: int, focus: int | None) -> BoardSnapshot:
    from followthrough.services.board_snapshot import read_board

    return read_board(db, query, shown, focus)


def _read_column_page(db: Database, state: State, query: str | None, offset: int) -> ColumnPage:
    from followthrough.services.board import load_column_page

    return load_column_page(db, state, query, offset)
