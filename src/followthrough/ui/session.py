"""What runs while the app is open: the database, the worker, the timer, and the window's data.

Opened after the window's first paint; closed in the reverse order, so that a write still
queued on the worker lands before the database closes.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from followthrough.paths import DataPaths
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.scheduler import Scheduler
from followthrough.ui.single_instance import SingleInstance


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
        window.attach(self.ops)
        window.quit_requested.connect(app.quit)
        instance.activated.connect(self.bring_forward)
        app.aboutToQuit.connect(self._clear_clipboard)
        self.scheduler.start()

    @classmethod
    def open(
        cls, paths: DataPaths, window: MainWindow, app: QApplication, instance: SingleInstance
    ) -> AppSession:
        return cls(Database.open(paths), window, app, instance)

    def bring_forward(self) -> None:
        """Another start of the app asked for the window: show it, on top, where it was."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    @staticmethod
    def _clear_clipboard() -> None:
        # A copied draft is offered by this process; clearing what we own before exit avoids
        # a crash in Qt's offscreen platform (clipboard managers have taken a copy by then).
        clipboard = QGuiApplication.clipboard()
        if clipboard.ownsClipboard():
            clipboard.clear()

    def close(self) -> None:
        self.scheduler.stop()
        self.ops.shutdown()  # let a queued write finish before the database closes
        self.db.close()
