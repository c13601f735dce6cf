"""Starting the desktop app: the QApplication, the database, the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from followthrough import APP_NAME, __version__
from followthrough.errors import StorageError
from followthrough.paths import DataPaths
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.scheduler import Scheduler


def run_gui(paths: DataPaths) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    try:
        db = Database.open(paths)
    except StorageError as exc:
        # The CLI prints it too (the caller); a person who double-clicked sees this dialog.
        QMessageBox.critical(None, APP_NAME, f"Followthrough cannot open its data.\n\n{exc}")
        raise
    ops = Operations(db)
    scheduler = Scheduler(ops)
    try:
        window = MainWindow(ops)
        window.show()
        scheduler.start()
        return app.exec()
    finally:
        scheduler.stop()
        ops.shutdown()  # let a queued write finish before the database closes
        db.close()
