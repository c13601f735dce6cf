"""What runs while the app is open: the database, the worker, the timer, notifications, tray.

Opened after the window's first paint; closed in the reverse order, so that a write still
queued on the worker lands before the database closes.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from followthrough import APP_NAME
from followthrough.domain.preferences import Preferences
from followthrough.errors import NewerSchemaError, StorageError
from followthrough.paths import DataPaths
from followthrough.services.backups import daily_backup, get_retention
from followthrough.services.database import Database
from followthrough.services.preferences import get_preferences, update_preferences
from followthrough.ui.changes import SETTINGS
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.scheduler import Scheduler
from followthrough.ui.single_instance import SingleInstance

if TYPE_CHECKING:
    from followthrough.ui.calendarwatcher import CalendarWatcher
    from followthrough.ui.mailwatcher import MailWatcher
    from followthrough.ui.notify import AlertNotifier
    from followthrough.ui.notify.meeting_questions import MeetingNotifications
    from followthrough.ui.syncwatcher import SyncWatcher
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
        ops: Operations | None = None,
    ) -> None:
        """With `ops`, the runner the window was attached to before the file was open (its
        queued work starts now); without, a new one, and the window is attached here."""
        self.db = db
        self.window = window
        self.app = app
        if ops is None:
            self.ops = Operations(db)
            window.attach(self.ops)
        else:
            self.ops = ops
            ops.open(db)
        self.scheduler = Scheduler(self.ops)
        self.prefs = Preferences()
        self.notifier: AlertNotifier | None = None
        self.tray: TrayIcon | None = None
        self.mail: MailWatcher | None = None
        self.calendar: CalendarWatcher | None = None
        self.sync: SyncWatcher | None = None
        self.meeting_questions: MeetingNotifications | None = None
        # exit(), not quit(): quit() asks the windows first, and one kept in the tray says no.
        window.quit_requested.connect(lambda: app.exit(0))
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
        if self.closed:
            return  # the app quit before the board's first paint came round (a smoke run)
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
            self.tray.quit_requested.connect(lambda: app.exit(0))
            window.today.loaded.connect(lambda: self._count(window.today.total))
            self.tray.show()
            # With the tray carrying the alerts, closing the window only hides it.
            app.setQuitOnLastWindowClosed(False)
            window.keep_running_in_tray = lambda: self.tray is not None
            window.hidden_to_tray.connect(self._hidden_to_tray)
            self._count(window.today.total)
        self.scheduler.start()
        self._watch_mail()
        self._watch_calendar()
        self._watch_sync()
        if self.paths is not None:
            # The first start of each day keeps a copy (on the worker: it reads the whole file).
            paths = self.paths

            def back_up(db: Database) -> object:
                kept = get_retention(db)
                return daily_backup(paths, None, kept.keep_daily, kept.keep_weekly)

            self.ops.run(back_up, on_error=self._backup_failed)

    def _watch_mail(self) -> None:
        """Replies from the mailbox, on a thread of their own (quiet without an account)."""
        from followthrough.ui.mailwatcher import MailWatcher

        window = self.window
        self.mail = MailWatcher(self.ops, parent=window)
        self.mail.status_changed.connect(window.show_mail_status)
        self.mail.logged.connect(window.mail_logged)
        window.check_mail_requested.connect(self.mail.check_now)
        window.mail_account_changed.connect(self.mail.check_now)
        self.mail.start()

    def _watch_calendar(self) -> None:
        """Meetings from the calendar, on a thread of their own (quiet without a calendar);
        the questions a pass asks pop up with Held and Missed."""
        from followthrough.ui.calendarwatcher import CalendarWatcher
        from followthrough.ui.notify.meeting_questions import MeetingNotifications

        window = self.window
        self.calendar = CalendarWatcher(self.ops, parent=window)
        self.calendar.status_changed.connect(window.show_calendar_status)
        self.calendar.logged.connect(window.calendar_logged)
        if self.notifier is not None:
            self.meeting_questions = MeetingNotifications(
                self.ops, window.lead_actions, self.notifier.bridge, parent=window
            )
            self.calendar.asked.connect(self.meeting_questions.ask)
        self.calendar.start()

    def _watch_sync(self) -> None:
        """The other devices' changes, through the sync folder (quiet while sync is off)."""
        from followthrough.ui.syncwatcher import SyncWatcher

        self.sync = SyncWatcher(self.ops, parent=self.window)
        self.sync.line_changed.connect(self.window.show_sync_status)
        self.sync.noted.connect(self.window.show_sync_note)
        self.sync.start()

    def _backup_failed(self, message: str) -> None:
        self.window.statusBar().showMessage(f"Today's backup could not be made: {message}", 15000)

    @classmethod
    def open(
        cls,
        paths: DataPaths,
        window: MainWindow,
        app: QApplication,
        instance: SingleInstance,
        ask: bool = False,
        checked: Future[str | None] | None = None,
        ops: Operations | None = None,
    ) -> AppSession:
        """Check and open the database, then start. With `ask`, a damaged database is shown
        in a dialog that offers a backup; otherwise (or on Quit) a DamagedDatabase is raised.
        """
        db, restored = open_checked(paths, window if ask else None, ask, checked)
        session = cls(db, window, app, instance, ops)
        session.paths = paths
        session.restored = restored
        if restored:
            window.statusBar().showMessage(
                "Your data was restored from a backup; the damaged file is kept in the "
                "backups folder.",
                30000,
            )
        return session

    paths: DataPaths | None = None
    restored = False  # the start put a backup back in place of a damaged database
    closed = False  # nothing starts after close(): the database worker is gone

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
        self.ops.run(
            lambda db: update_preferences(db, {"tray_notice_shown": True}), writes=SETTINGS
        )

    @staticmethod
    def _clear_clipboard() -> None:
        # A copied draft is offered by this process; clearing what we own before exit avoids
        # a crash in Qt's offscreen platform (clipboard managers have taken a copy by then).
        clipboard = QGuiApplication.clipboard()
        if clipboard.ownsClipboard():
            clipboard.clear()

    def close(self) -> None:
        self.closed = True
        self.scheduler.stop()
        # Nothing of this session may outlive it (a test opens several in one process).
        if self.meeting_questions is not None:
            self.meeting_questions.deleteLater()
            self.meeting_questions = None
        if self.notifier is not None:
            self.notifier.shutdown()
            self.notifier.deleteLater()
            self.notifier = None
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
            self.tray = None
        if self.mail is not None:
            self.mail.stop()  # waits for a pass in flight: it writes in one transaction
            self.mail.deleteLater()
            self.mail = None
        if self.calendar is not None:
            self.calendar.stop()  # likewise
            self.calendar.deleteLater()
            self.calendar = None
        if self.sync is not None:
            self.sync.stop()  # likewise: a pass in flight applies in one transaction
            self.sync.deleteLater()
            self.sync = None
        self.ops.shutdown()  # let a queued write finish before the database closes
        self.db.close()


def open_checked(
    paths: DataPaths,
    parent: MainWindow | None,
    ask: bool,
    checked: Future[str | None] | None = None,
) -> tuple[Database, bool]:
    """The database, after a quick integrity check; (db, True) when a backup was restored.

    A damaged file is never opened for writing: the check runs first, read-only, on its own
    thread (it reads the whole file), and anything that replaces the file waits for a click.
    `checked` is that check already started (see app.py); else it starts here.
    """
    # The dialogs' module is imported only when it is needed: a healthy start (nearly every
    # start) never pays for it, and the board shows that much sooner.
    if checked is None:
        from followthrough.services.integrity import quick_check
        from followthrough.ui.integrity_dialog import off_gui_thread

        reason = off_gui_thread(lambda: quick_check(paths.database))
    elif checked.done():
        reason = checked.result()
    else:
        from followthrough.ui.integrity_dialog import off_gui_thread

        reason = off_gui_thread(checked.result)
    if reason is None:
        try:
            return Database.open(paths), False
        except NewerSchemaError:
            raise  # not damage: a newer app wrote it, and a backup would lose that work
        except StorageError as exc:
            reason = str(exc)
    from followthrough.ui.integrity_dialog import not_restored, resolve_damaged_database

    if not ask:
        raise not_restored(paths, reason, explained=False)
    if not resolve_damaged_database(paths, reason, parent):
        raise not_restored(paths, reason, explained=True)
    return Database.open(paths), True
