"""The main window: the Hot / Warm / Recycle board, read through services off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from followthrough import APP_NAME
from followthrough.domain.states import BOARD_STATES, State

if TYPE_CHECKING:
    # The window paints before the database layer is even imported (see attach()).
    from followthrough.services.board import ColumnPage
    from followthrough.services.readmodels import LeadView
    from followthrough.services.transfer import ImportReport
    from followthrough.store.db import Database
    from followthrough.ui.actions import LeadActions
    from followthrough.ui.alerts.today import TodayPanel
    from followthrough.ui.backups_dialog import BackupsDialog
    from followthrough.ui.board.column import BoardColumn
    from followthrough.ui.board.recycle import RecycleDialog
    from followthrough.ui.drafting.dialog import DraftDialog
    from followthrough.ui.drafting.editor import TemplateEditor
    from followthrough.ui.lead.quick_add import QuickAddDialog
    from followthrough.ui.ops import Operations
    from followthrough.ui.settings import SettingsDialog
    from followthrough.ui.shortcuts import ShortcutSheet
    from followthrough.ui.transfer.import_dialog import ImportDialog


class MainWindow(QMainWindow):
    board_loaded = Signal()  # the board shows the data as of the last refresh
    lead_selected = Signal(int)  # a card became the current one
    quit_requested = Signal()  # File > Quit: the app decides (it may live on in the tray)
    hidden_to_tray = Signal()  # the window was closed but the app runs on in the tray
    check_mail_requested = Signal()  # File > Check mail now (F5)
    mail_account_changed = Signal()  # the Mail settings tab saved or forgot the account

    def __init__(self, ops: Operations | None = None, actions: LeadActions | None = None) -> None:
        """The window's frame; with `ops`, attached to the data at once (see attach)."""
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 760)
        self._board_generation = 0  # answers to an older refresh are dropped
        central = QWidget(self)
        outer = QVBoxLayout(central)
        self.search = QLineEdit(central)
        self.search.setPlaceholderText("Search names, companies, e-mails, tags  (Ctrl+F)")
        self.search.setAccessibleName("Search leads")
        self.search.setClearButtonEnabled(True)
        self.search.setEnabled(False)
        outer.addWidget(self.search)
        self.board_row = QHBoxLayout()
        outer.addLayout(self.board_row)
        # Until the data is attached: the columns' titles, so the first paint is the board.
        # (Plain HTML, not Qt's alignment flags: the first use of the `Qt` namespace costs as
        # much as a tenth of a bare window's start, and this code runs before the first paint.)
        self._skeleton = [
            QLabel(f"<div align='center'><b>{state.label}</b></div>", central)
            for state in BOARD_STATES
        ]
        for label in self._skeleton:
            self.board_row.addWidget(label, 1)
        self.setCentralWidget(central)
        # What the board holds stays in view; messages about actions come and go beside it.
        self.board_count = QLabel("Opening your pipeline…", self)
        self.board_count.setAccessibleName("Leads shown")
        self.statusBar().addPermanentWidget(self.board_count)
        # A mail problem stays in sight while it lasts (hidden while all is well).
        self.mail_status = QLabel(self)
        self.mail_status.setAccessibleName("Mail watching")
        self.mail_status.hide()
        self.statusBar().addWidget(self.mail_status)
        self.columns: dict[str, BoardColumn] = {}
        # Set by the app when a tray icon exists: closing the window then only hides it.
        self.keep_running_in_tray: Callable[[], bool] = lambda: False
        if ops is not None:
            self.attach(ops, actions)

    def attach(self, ops: Operations, actions: LeadActions | None = None) -> None:
        """Build what shows and changes data: the board, the Today list, menus and keys."""
        from PySide6.QtCore import Qt  # here, not at the top: see the skeleton's comment

        from followthrough.ui.actions import LeadActions
        from followthrough.ui.alerts.today import TodayPanel
        from followthrough.ui.board.column import BoardColumn
        from followthrough.ui.first_run import FirstRunPanel
        from followthrough.ui.lead.panel import LeadPanel

        self.ops = ops
        self.actions = actions or LeadActions(ops, self)
        central = self.centralWidget()
        for label in self._skeleton:
            self.board_row.removeWidget(label)
            label.deleteLater()
        self._skeleton = []
        # Wait for a pause in typing: one query per burst of keystrokes, not one per key.
        self._search_pause = QTimer(self, singleShot=True, interval=120, timeout=self.refresh)
        self.search.textChanged.connect(lambda _: self._search_pause.start())
        self.search.setEnabled(True)
        # Today | the board | the lead: a splitter, so each person sets the balance they like.
        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.splitter.setChildrenCollapsible(False)
        self.board_row.addWidget(self.splitter)
        self.today: TodayPanel = TodayPanel(ops, self.splitter)
        self.today.setMinimumWidth(220)
        self.today.lead_selected.connect(self.select_lead)
        self.today.draft_requested.connect(self.open_draft)
        board = QWidget(self.splitter)
        columns_row = QHBoxLayout(board)
        columns_row.setContentsMargins(0, 0, 0, 0)
        self.columns = {state.value: BoardColumn(state, board) for state in BOARD_STATES}
        for column in self.columns.values():
            columns_row.addWidget(column, 1)
            self._wire_column(column)
        self.first_run = FirstRunPanel(ops, board)
        self.first_run.add_requested.connect(self.quick_add)
        self.first_run.import_requested.connect(self.open_import)
        self.first_run.sample_loaded.connect(
            lambda n: self.statusBar().showMessage(
                f"Added {n} sample leads to explore. File > Remove the sample leads clears them.",
                10000,
            )
        )
        self.first_run.hide()
        columns_row.addWidget(self.first_run, 1)
        self.lead_panel = LeadPanel(ops, self.actions, self.splitter)
        self.lead_panel.setMinimumWidth(260)
        self.lead_selected.connect(self.lead_panel.show_lead)
        for index, stretch in enumerate((0, 1, 0)):
            self.splitter.setStretchFactor(index, stretch)
        self.splitter.setSizes([270, 640, 350])
        self._build_actions()
        self.actions.done.connect(self._said)
        ops.changed.connect(self.refresh)
        ops.failed.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.refresh()

    # --- menus and shortcuts --------------------------------------------------------------------

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())  # Qt passes `checked` along
        menu.addAction(action)
        self.addAction(action)  # shortcuts work whichever widget has the focus
        return action

    def _build_actions(self) -> None:
        from PySide6.QtCore import Qt

        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.add_action = self._action(
            self.file_menu, "&Add a lead…", self.quick_add, QKeySequence.StandardKey.New
        )
        self.settings_action = self._action(
            self.file_menu, "&Settings…", self.open_settings, QKeySequence("Ctrl+,")
        )
        self.templates_action = self._action(
            self.file_menu, "&Templates…", self.open_templates, "Ctrl+Shift+T"
        )
        self.file_menu.addSeparator()
        self.import_action = self._action(self.file_menu, "&Import…", self.open_import, "Ctrl+I")
        self.export_action = self._action(
            self.file_menu, "&Export…", self.export_data, "Ctrl+Shift+E"
        )
        self.backups_action = self._action(self.file_menu, "&Backups…", self.open_backups)
        self.check_mail_action = self._action(
            self.file_menu, "Check &mail now", self.check_mail_requested.emit, "F5"
        )
        self.clear_sample_action = self._action(
            self.file_menu, "&Remove the sample leads", self.clear_sample
        )
        self.clear_sample_action.setEnabled(False)
        self.file_menu.addSeparator()
        self.quit_action = self._action(
            self.file_menu, "&Quit", self.quit_requested.emit, QKeySequence.StandardKey.Quit
        )

        edit = bar.addMenu("&Edit")
        self.undo_action = self.actions.stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.actions.stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z")]
        )
        for action in (self.undo_action, self.redo_action):
            edit.addAction(action)
            self.addAction(action)
        edit.addSeparator()
        self.find_action = self._action(
            edit, "&Find", self._focus_search, QKeySequence.StandardKey.Find
        )

        self.lead_menu = bar.addMenu("&Lead")
        self.move_actions: dict[State, QAction] = {}
        for number, state in enumerate(BOARD_STATES, start=1):
            dots = "…" if state is State.RECYCLE else ""
            self.move_actions[state] = self._action(
                self.lead_menu,
                f"Move to {state.label}{dots}",
                lambda state=state: self._move_current(state),
                f"Ctrl+{number}",
            )
        self.move_left_action = self._action(
            self.lead_menu, "Move one column &left", lambda: self._shift_current(-1),
            "Ctrl+Shift+Left",
        )  # fmt: skip
        self.move_right_action = self._action(
            self.lead_menu, "Move one column &right", lambda: self._shift_current(1),
            "Ctrl+Shift+Right",
        )  # fmt: skip
        self.lead_menu.addSeparator()
        self.won_action = self._action(
            self.lead_menu, "Mark as &Won", lambda: self._move_current(State.WON), "Ctrl+Shift+W"
        )
        self.lost_action = self._action(
            self.lead_menu, "Mark as &Lost", lambda: self._move_current(State.LOST), "Ctrl+Shift+L"
        )
        self.lead_menu.addSeparator()
        self.delete_action = self._action(
            self.lead_menu, "&Delete", self._delete_current, QKeySequence.StandardKey.Delete
        )
        # Delete must not fire while the user edits text: only where a card has the focus.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.delete_action)
        for column in self.columns.values():
            column.view.addAction(self.delete_action)

        self.draft_action = self._action(
            self.lead_menu, "D&raft a follow-up…", self._draft_current, "Ctrl+D"
        )
        self.lead_menu.addSeparator()
        log_menu = self.lead_menu.addMenu("Lo&g")
        for action in self.lead_panel.log_actions.values():
            log_menu.addAction(action)  # the panel owns their shortcuts

        self.help_menu = bar.addMenu("&Help")
        self.shortcuts_action = self._action(
            self.help_menu, "&Keyboard shortcuts", self.show_shortcuts, QKeySequence("F1")
        )
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])

    def open_draft(self, lead_id: int, alert_id: int | None = None) -> DraftDialog:
        """The follow-up for a lead (and the alert it answers), ready to edit and send."""
        from PySide6.QtCore import Qt

        from followthrough.ui.drafting.dialog import DraftDialog

        dialog = DraftDialog(self.ops, lead_id, alert_id, self, actions=self.actions)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def draft_for_alert(self, alert_id: int) -> None:
        """From a notification's Draft button: find the alert's lead, then draft."""
        from followthrough.services.alerts import get_alert

        self.ops.run(
            lambda db: get_alert(db, alert_id),
            lambda alert: self.open_draft(alert.lead_id, alert.id),
        )

    def open_templates(self) -> TemplateEditor:
        from PySide6.QtCore import Qt

        from followthrough.ui.drafting.editor import TemplateEditor

        editor = TemplateEditor(self.ops, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.show()
        return editor

    def open_settings(self) -> SettingsDialog:
        from PySide6.QtCore import Qt

        from followthrough.ui.settings import SettingsDialog

        dialog = SettingsDialog(self.ops, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.mail.saved.connect(lambda _account: self.mail_account_changed.emit())
        dialog.mail.forgotten.connect(self.mail_account_changed.emit)
        dialog.open()
        return dialog

    def open_import(self) -> ImportDialog:
        from PySide6.QtCore import Qt

        from followthrough.ui.transfer.import_dialog import ImportDialog

        dialog = ImportDialog(self.ops, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.import_finished.connect(self._imported)
        dialog.open()
        return dialog

    def _imported(self, report: ImportReport) -> None:
        if not report.dry_run:
            self.statusBar().showMessage(f"Imported {report.added:,} leads", 8000)

    def export_data(self) -> None:
        from followthrough.ui.export_action import export_data

        export_data(self, self.ops)

    def open_backups(self) -> BackupsDialog:
        from PySide6.QtCore import Qt

        from followthrough.ui.backups_dialog import BackupsDialog

        # Leads on the undo stack may not exist in the restored data.
        dialog = BackupsDialog(self.ops, self, on_restored=self.actions.stack.clear)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_mail_status(self, text: str) -> None:
        """A mail problem stays in the status bar while it lasts; "" clears it."""
        self.mail_status.setText(text)
        self.mail_status.setVisible(bool(text))

    def mail_logged(self, count: int) -> None:
        entries = "1 entry" if count == 1 else f"{count} entries"
        self.statusBar().showMessage(f"Logged {entries} from your mailbox", 8000)

    def clear_sample(self) -> None:
        """Remove the sample leads (and only them); the user's own leads stay."""
        from followthrough.services import sample

        def cleared(count: int) -> None:
            # The sample's leads are gone: undoing changes to them has nothing to act on.
            self.actions.stack.clear()
            self.statusBar().showMessage(f"Removed {count} sample leads", 8000)

        self.ops.run(sample.clear_sample, cleared, writes=True)

    def _said(self, text: str) -> None:
        """Confirm a change in the status bar, with the way back."""
        undo_keys = self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        done = text.startswith(("Undid", "Redid"))
        self.statusBar().showMessage(text if done else f"{text}. {undo_keys} undoes it.", 8000)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.keep_running_in_tray():
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        super().closeEvent(event)

    def bring_forward(self, lead_id: int | None = None, today: bool = False) -> None:
        """Show the window on top (from the tray, a notification, a second start)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        if lead_id is not None and self.columns:
            self.select_lead(lead_id)
        elif today and self.columns:
            self.today.view.setFocus()

    def show_shortcuts(self) -> ShortcutSheet:
        from followthrough.ui.shortcuts import ShortcutSheet

        sheet = ShortcutSheet(self.menuBar(), self)
        sheet.open()
        return sheet

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- the board ------------------------------------------------------------------------------

    def _wire_column(self, column: BoardColumn) -> None:
        model = column.model
        model.more_wanted.connect(lambda offset, column=column: self._load_more(column, offset))
        model.lead_dropped.connect(
            lambda lead_id, name, _from, state=column.state: self.move_lead(lead_id, name, state)
        )
        column.view.selectionModel().currentChanged.connect(
            lambda current, _previous, column=column: self._card_selected(column, current)
        )
        column.view.customContextMenuRequested.connect(
            lambda point, column=column: self._card_menu(column, point)
        )

    def refresh(self) -> None:
        from followthrough.services.board import PAGE, load_board

        query = self.search.text().strip() or None
        self._board_generation += 1
        generation = self._board_generation
        # Keep as many cards as each column shows now, so a refresh does not jump the scroll.
        shown = max([PAGE] + [c.model.rowCount() for c in self.columns.values()])
        from followthrough.services import sample

        def read(db: Database) -> tuple[dict[State, ColumnPage], bool, bool]:
            pages = load_board(db, query, per_column=shown)
            # Empty only when nothing at all is stored (Won and Lost count): a first run.
            empty = not query and not any(p.total for p in pages.values())
            return pages, empty and sample.board_is_empty(db), sample.sample_loaded(db)

        self.ops.run(read, lambda board: self._show(*board, generation=generation))

    def _load_more(self, column: BoardColumn, offset: int) -> None:
        from followthrough.services.board import load_column_page

        query = self.search.text().strip() or None
        generation = self._board_generation
        state = column.state

        def append(page: ColumnPage) -> None:
            if generation == self._board_generation:
                column.model.append_page(page)

        self.ops.run(lambda db: load_column_page(db, state, query, offset), append)

    def _show(
        self, pages: dict[State, ColumnPage], first_run: bool, has_sample: bool, generation: int
    ) -> None:
        if generation != self._board_generation:
            return  # a newer refresh (another keystroke, another change) is on its way
        self.first_run.setVisible(first_run)
        self.today.setVisible(not first_run)
        self.lead_panel.setVisible(not first_run)
        for column in self.columns.values():
            column.setVisible(not first_run)
        self.search.setEnabled(not first_run)
        self.clear_sample_action.setEnabled(has_sample)
        selected = self.current_lead()
        for state, page in pages.items():
            self.columns[state.value].model.set_page(page)
        total = sum(page.total for page in pages.values())
        if self.search.text().strip():
            found = f"{total:,} lead{'' if total == 1 else 's'} match"
            self.board_count.setText(found if total else "No lead matches the search")
        else:
            self.board_count.setText(
                f"{total:,} leads on the board" if total else "No leads yet: add one with Ctrl+N"
            )
        if selected is not None:
            self.select_lead(selected.id, focus=False)
        self.board_loaded.emit()

    def quick_add(self) -> QuickAddDialog:
        from followthrough.ui.lead.quick_add import QuickAddDialog

        dialog = QuickAddDialog(self.ops, self, self.actions)
        dialog.accepted.connect(lambda: dialog.added and self.select_after_refresh(dialog.added))
        dialog.open()
        return dialog

    def select_after_refresh(self, lead_id: int) -> None:
        from PySide6.QtCore import Qt

        self.board_loaded.connect(
            lambda: self.select_lead(lead_id), Qt.ConnectionType.SingleShotConnection
        )

    def select_lead(self, lead_id: int, focus: bool = True) -> bool:
        """Show a lead selected on the board (from the Today list, a notification...)."""
        for column in self.columns.values():
            row = column.model.row_of(lead_id)
            if row is not None:
                index = column.model.index(row)
                column.view.setCurrentIndex(index)
                column.view.scrollTo(index)
                if focus:
                    column.view.setFocus()
                return True
        # Further down a long column than is loaded, or filtered out: details still show.
        self.lead_selected.emit(lead_id)
        return False

    def _card_selected(self, column: BoardColumn, current: object) -> None:
        lead = self._lead_in(column)
        if lead is None:
            return
        # One selection across the board: choosing a card elsewhere clears the others.
        for other in self.columns.values():
            if other is not column:
                other.view.selectionModel().clear()
        self._current_column = column
        self.lead_selected.emit(lead.id)

    _current_column: BoardColumn | None = None

    @staticmethod
    def _lead_in(column: BoardColumn) -> LeadView | None:
        index = column.view.currentIndex()
        if not index.isValid() or not column.view.selectionModel().isSelected(index):
            return None
        return column.model.lead_at(index.row())

    def current_lead(self) -> LeadView | None:
        """The card the user has selected, wherever it is on the board."""
        if self._current_column is not None:
            lead = self._lead_in(self._current_column)
            if lead is not None:
                return lead
        for column in self.columns.values():
            lead = self._lead_in(column)
            if lead is not None:
                return lead
        return None

    # --- changing leads -------------------------------------------------------------------------

    def move_lead(self, lead_id: int, name: str, state: State) -> RecycleDialog | None:
        """Move a lead; to Recycle, ask first when to come back (cancel changes nothing)."""
        from followthrough.ui.board.recycle import RecycleDialog

        if state is not State.RECYCLE:
            self.actions.move(lead_id, state, name=name)
            return None
        dialog = RecycleDialog(name, self)

        def park() -> None:
            until, reason = dialog.chosen()
            self.actions.move(lead_id, State.RECYCLE, until=until, reason=reason, name=name)

        dialog.accepted.connect(park)
        dialog.open()
        return dialog

    def _move_current(self, state: State) -> RecycleDialog | None:
        lead = self.current_lead()
        if lead is None:
            self.statusBar().showMessage("Select a lead first", 4000)
            return None
        if lead.state is state and state is not State.RECYCLE:
            return None
        return self.move_lead(lead.id, lead.name, state)

    def _shift_current(self, step: int) -> RecycleDialog | None:
        lead = self.current_lead()
        if lead is None or lead.state not in BOARD_STATES:
            return None
        position = BOARD_STATES.index(lead.state) + step
        if not 0 <= position < len(BOARD_STATES):
            return None
        return self.move_lead(lead.id, lead.name, BOARD_STATES[position])

    def _draft_current(self) -> None:
        lead = self.current_lead()
        if lead is None:
            self.statusBar().showMessage("Select a lead first", 4000)
            return
        self.open_draft(lead.id)

    def _delete_current(self) -> None:
        lead = self.current_lead()
        if lead is not None:
            self.actions.delete(lead.id, name=lead.name)

    def _card_menu(self, column: BoardColumn, point: QPoint) -> QMenu | None:
        index = column.view.indexAt(point)
        if not index.isValid():
            return None
        column.view.setCurrentIndex(index)
        menu = QMenu(self)
        for state, action in self.move_actions.items():
            if state is not column.state:
                menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.won_action)
        menu.addAction(self.lost_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.popup(column.view.viewport().mapToGlobal(point))
        return menu
