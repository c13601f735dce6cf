"""The main window's frame: its layout, status bar and life (close to the tray, resize,
brought forward). Today, the board and the lead panel sit inside it (ui/workspace.py).

The frame paints before the database layer is imported (see attach()); what shows and changes
data is built once the data is there, each part in its own module: the board as read and
searched (pipeline_view.py), the menus (window_menus.py, declared as data), what they do to
the current lead (lead_commands.py) and the dialogs they open (window_dialogs.py). Everything
a lead action targets is the one current lead (ui/current.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

from followthrough import APP_NAME
from followthrough.domain.states import BOARD_STATES
from followthrough.ui.board.search import SearchField

if TYPE_CHECKING:
    # The window paints before the database layer is even imported (see attach()).
    from collections.abc import Iterable

    from PySide6.QtGui import QAction

    from followthrough.services.first_look import FirstLook
    from followthrough.services.readmodels import LeadView
    from followthrough.ui.about import AboutDialog
    from followthrough.ui.actions import LeadActions
    from followthrough.ui.board.column import BoardColumn
    from followthrough.ui.drafting.dialog import DraftDialog
    from followthrough.ui.lead.quick_add import QuickAddDialog
    from followthrough.ui.lead_commands import LeadCommands
    from followthrough.ui.ops import Operations
    from followthrough.ui.pipeline_view import PipelineView
    from followthrough.ui.window_dialogs import WindowDialogs
    from followthrough.ui.window_menus import WindowMenus

DEFAULT_SIZE = (1280, 800)


class MainWindow(QMainWindow):
    board_loaded = Signal()  # the board shows the data as of the last refresh
    lead_selected = Signal(int)  # another lead became the current one
    quit_requested = Signal()  # File > Quit: the app decides (it may live on in the tray)
    hidden_to_tray = Signal()  # the window was closed but the app runs on in the tray
    check_mail_requested = Signal()  # File > Check mail now (F5)
    mail_account_changed = Signal()  # the Mail settings tab saved or forgot the account

    def __init__(
        self, ops: Operations | None = None, lead_actions: LeadActions | None = None
    ) -> None:
        """The window's frame; with `ops`, attached to the data at once (see attach)."""
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(*DEFAULT_SIZE)
        central = self._central = QWidget(self)
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
        self.calendar_status = QLabel(self)  # likewise for the calendar
        self.calendar_status.setAccessibleName("Calendar reading")
        self.calendar_status.hide()
        self.statusBar().addWidget(self.calendar_status)
        # "Synced 2 min ago with Desktop", or why sync is paused (hidden while sync is off).
        self.sync_status = QLabel(self)
        self.sync_status.setAccessibleName("Sync")
        self.sync_status.setContentsMargins(16, 0, 0, 0)  # apart from the count beside it
        self.sync_status.hide()
        self.statusBar().addPermanentWidget(self.sync_status)
        self.columns: dict[str, BoardColumn] = {}  # state value → column, once attached
        # Set by the app when a tray icon exists: closing the window then only hides it.
        self.keep_running_in_tray: Callable[[], bool] = lambda: False
        if ops is not None:
            self.attach(ops, lead_actions)

    def attach(self, ops: Operations, lead_actions: LeadActions | None = None) -> None:
        """Build what shows and changes data: the board, Today, the lead panel, the menus."""
        from followthrough.ui.actions import LeadActions
        from followthrough.ui.lead_commands import LeadCommands
        from followthrough.ui.pipeline_view import PipelineView
        from followthrough.ui.window_dialogs import WindowDialogs
        from followthrough.ui.window_menus import build_menus, card_menu
        from followthrough.ui.workspace import Workspace

        self.ops = ops
        # Not `actions`: that name is QWidget.actions().
        self.lead_actions: LeadActions = lead_actions or LeadActions(ops, self)
        for label in self._skeleton:
            self._skeleton_row.removeWidget(label)
            label.deleteLater()
        self._skeleton = []
        self.workspace = Workspace(ops, self.lead_actions, self._central)
        self._skeleton_row.addWidget(self.workspace)
        self.board = self.workspace.board
        self.columns = self.board.columns
        self.today = self.workspace.today
        self.lead_panel = self.workspace.lead_panel
        self.first_run = self.workspace.first_run
        self.pipeline: PipelineView = PipelineView(
            ops, self.workspace, self.search, self.board_count, self, self
        )
        self.current = self.pipeline.current
        self.commands: LeadCommands = LeadCommands(self, self)
        self.dialogs: WindowDialogs = WindowDialogs(self, self, ops, self.lead_actions)
        self.menus: WindowMenus = build_menus(self, self)
        self.workspace.fit(self.width())

        self.pipeline.loaded.connect(self._board_shown)
        self.pipeline.lead_selected.connect(self.lead_selected.emit)
        self.board.dropped.connect(self.commands.move_lead)
        self.board.menu_wanted.connect(lambda lead, where: card_menu(self.menus, lead, where, self))
        self.today.draft_requested.connect(self.open_draft)
        self.first_run.add_requested.connect(self.quick_add)
        self.first_run.import_requested.connect(self.dialogs.open_import)
        self.first_run.sample_loaded.connect(
            lambda n: self.say(
                f"Added {n} sample leads to explore. File › Remove the sample leads takes them "
                "away again.",
                10000,
            )
        )
        self.lead_actions.done.connect(self._said)
        ops.failed.connect(lambda message: self.say(message, 8000))
        self.refresh()

    # --- what the menus, the commands and the dialogs ask of the window ---------------------

    def open_draft(self, lead_id: int, alert_id: int | None = None) -> DraftDialog:
        return self.dialogs.open_draft(lead_id, alert_id)

    def draft_for_alert(self, alert_id: int) -> None:
        self.dialogs.draft_for_alert(alert_id)

    def quick_add(self) -> QuickAddDialog:
        return self.dialogs.quick_add()

    def show_about(self) -> AboutDialog:
        return self.dialogs.show_about()

    def request_quit(self) -> None:
        self.quit_requested.emit()

    def request_mail_check(self) -> None:
        self.check_mail_requested.emit()

    def account_changed(self) -> None:
        self.mail_account_changed.emit()

    def has_sample(self) -> bool:
        return self.pipeline.has_sample

    def log_actions(self) -> Iterable[QAction]:
        return self.lead_panel.log_actions.values()

    def card_views(self) -> Iterable[QWidget]:
        return [column.view for column in self.columns.values()]

    # --- telling the person ---------------------------------------------------------------

    def say(self, text: str, ms: int = 6000) -> None:
        self.statusBar().showMessage(text, ms)

    def undo_keys(self) -> str:
        return self.menus.keys("undo")

    def archive_keys(self) -> str:
        return self.menus.keys("archive")

    def _said(self, text: str, way_back: str) -> None:
        """A change, in the past tense, with the way back when there is one."""
        if way_back == "undo":
            text = f"{text} — {self.undo_keys()} undoes it"
        elif way_back == "redo":
            text = f"{text} — {self.menus.keys('redo')} redoes it"
        self.say(text, 8000)

    def show_mail_status(self, text: str) -> None:
        """A mail problem stays in the status bar while it lasts; "" clears it."""
        self.mail_status.setText(text)
        self.mail_status.setVisible(bool(text))

    def mail_logged(self, count: int) -> None:
        entries = "1 entry" if count == 1 else f"{count} entries"
        self.say(f"Logged {entries} from your mailbox", 8000)

    def show_calendar_status(self, text: str) -> None:
        """A calendar problem stays in the status bar while it lasts; "" clears it."""
        self.calendar_status.setText(text)
        self.calendar_status.setVisible(bool(text))

    def show_sync_status(self, text: str) -> None:
        """How sync stands, while it is set up; "" hides it."""
        self.sync_status.setText(text)
        self.sync_status.setVisible(bool(text))

    def show_sync_note(self, note: str) -> None:
        """What a sync pass found worth saying (said once by the pass): in the status bar for
        a while, and kept on the sync line's tooltip until the next one."""
        self.say(note, 30000)
        self.sync_status.setToolTip(note)

    def calendar_logged(self, count: int) -> None:
        entries = "1 entry" if count == 1 else f"{count} entries"
        self.say(f"Logged {entries} from your calendar", 8000)

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

    # --- the board (pipeline_view.py) -------------------------------------------------------

    def refresh(self) -> None:
        self.pipeline.refresh()

    def show_first_look(self, look: FirstLook) -> None:
        """The pipeline as read at start-up, while the database layer loads (see startup.py).

        Shown as if it were the answer to the refresh queued at attach; that refresh's own
        answer, read through the database layer, replaces it when the file is open.
        """
        if self.search.text().strip():
            return  # the person is already searching: their query's answer is on its way
        self.pipeline.show_read(look.board)
        self.today.show_alerts(look.today)

    def _board_shown(self) -> None:
        self.menus.update()  # what may be done now: Remove the sample leads...
        self.board_loaded.emit()

    def select_after_refresh(self, lead_id: int) -> None:
        from PySide6.QtCore import Qt  # not at start-up: see __init__

        self.board_loaded.connect(
            lambda: self.select_lead(lead_id), Qt.ConnectionType.SingleShotConnection
        )

    def select_lead(self, lead_id: int, focus: bool = True) -> bool:
        """Make a lead the current one (Today, a notification, a new lead); True if on view."""
        return self.pipeline.select_lead(lead_id, focus)

    def current_lead(self) -> LeadView | None:
        """The lead every action acts on (None when none is chosen or it left the board)."""
        return self.current.target if self.columns else None
