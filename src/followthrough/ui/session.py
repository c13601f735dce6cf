"""What runs while the app is open: the database, the worker, the timer, notifications, tray.

Opened after the window's first paint; closed in the reverse order, so that a write still
queued on the worker lands before the database closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from followthrough import APP_NAME
from followthrough.domain.preferences import Preferences
from followthrough.paths import DataPaths
from followthrough.services.backups import daily_backup
from followthrough.services.preferences import get_preferences, update_preferences
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.scheduler import Scheduler
from followthrough.ui.single_instance import SingleInstance

if TYPE_CHECKING:
    from followthrough.ui.notify import AlertNotifier
    from followthrough.ui.tray import TrayIcon

TRAY_NOTICE = (
    "Followthrough keeps running in the tray, so alerts still reach you. "
    "Quit it from the tray icon's menu or with File › Quit."
)


class AppSession:
    def __init__(
        self,
        db: Database,
        window: MainWindow,
        app: QApplication,
        instance: SingleInstance,
    ) -> None:
        self.db = db
        self.window = window
        self.app = app
        self.ops = Operations(db)
        self.scheduler = Scheduler(self.ops)
        self.prefs = Preferences()
        self.notifier: AlertNotifier | None = None
        self.tray: TrayIcon | None = None
        window.attach(self.ops)
        window.quit_requested.connect(app.quit)
        instance.activated.connect(window.bring_forward)
        app.aboutToQuit.connect(self._clear_clipboard)

        # Right after the board's first paint with data (queued behind it).
        window.board_loaded.connect(
            lambda: QTimer.singleShot(0, self._start_watching),
            Qt.ConnectionType.SingleShotConnection,
        )
        self.ops.run(get_preferences, self._preferences)

    def _start_watching(self) -> None:
        """Once the board shows: notifications, the tray, and the timer's first tick.

        Started only now so that the person sees their pipeline first; the timer starts
        after the notifier, so no alert raised by the first tick goes unannounced.
        """
        from followthrough.ui.notify import AlertNotifier
        from followthrough.ui.tray import TrayIcon

        app, window = self.app, self.window
        self.notifier = AlertNotifier(self.ops, parent=window)
        self.notifier.watch(self.scheduler)
        self.notifier.open_lead.connect(lambda lead_id: window.bring_forward(lead_id))
        self.notifier.open_today.connect(lambda: window.bring_forward(today=True))
        self.notifier.draft_requested.connect(window.draft_for_alert)
        self.notifier.status_changed.connect(self._notifications_status)

        if TrayIcon.is_available():
            self.tray = TrayIcon(window)
            self.tray.open_requested.connect(window.bring_forward)
            self.tray.today_requested.connect(lambda: window.bring_forward(today=True))
            self.tray.quit_requested.connect(app.quit)
            window.today.loaded.connect(lambda: self._count(window.today.total))
            self.tray.show()
            # With the tray carrying the alerts, closing the window only hides it.
            app.setQuitOnLastWindowClosed(False)
            window.keep_running_in_tray = lambda: self.tray is not None
            window.hidden_to_tray.connect(self._hidden_to_tray)
            self._count(window.today.total)
        self.scheduler.start()
        if self.paths is not None:
            # The first start of each day keeps a copy (on the worker: it reads the whole file).
            paths = self.paths
            self.ops.run(lambda db: daily_backup(paths), on_error=self._backup_failed)

    def _backup_failed(self, message: str) -> None:
        self.window.statusBar().showMessage(f"Today's backup could not be made: {message}", 15000)

    @classmethod
    def open(
        cls, paths: DataPaths, window: MainWindow, app: QApplication, instance: SingleInstance
    ) -> AppSession:
        session = cls(Database.open(paths), window, app, instance)
        session.paths = paths
        return session

    paths: DataPaths | None = None

    def _preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        if self.notifier is not None and self.notifier.status:
            self._notifications_status(self.notifier.status)

    def _notifications_status(self, text: str) -> None:
        # Said once in the window, and only to someone who wants notifications.
        if text and self.prefs.notifications and not self.prefs.quiet:
            self.window.statusBar().showMessage(
                f"{text}. The Today list and the tray still show every alert.", 15000
            )

    def _count(self, total: int) -> None:
        if self.tray is not None:
            self.tray.set_count(total)

    def _hidden_to_tray(self) -> None:
        """The first time the window is closed, say where the app went (once, ever)."""
        if self.prefs.tray_notice_shown or self.tray is None:
            return
        self.prefs = Preferences.from_json({**self.prefs.to_json(), "tray_notice_shown": True})
        self.tray.notify(APP_NAME, TRAY_NOTICE)
        self.ops.run(lambda db: update_preferences(db, {"tray_notice_shown": True}), writes=True)

    @staticmethod
    def _clear_clipboard() -> None:
        # A copied draft is offered by this process; clearing what we own before exit avoids
        # a crash in Qt's offscreen platform (clipboard managers have taken a copy by then).
        clipboard = QGuiApplication.clipboard()
        if clipboard.ownsClipboard():
            clipboard.clear()

    def close(self) -> None:
        self.scheduler.stop()
        # Nothing of this session may outlive it (a test opens several in one process).
        if self.notifier is not None:
            self.notifier.shutdown()
            self.notifier.deleteLater()
            self.notifier = None
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
            self.tray = None
        self.ops.shutdown()  # let a queued write finish before the database closes
        self.db.close()
