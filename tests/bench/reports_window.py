"""Time the Insights window opening on a data folder: from creating it to the first paint of
its first page showing the report it read. Run by tests/bench/reports.py --window, offscreen.

The window module is imported by name only when this runs, so the benchmark still builds
and times the reports where the window does not exist yet.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from typing import Any

WINDOW_MODULE = "followthrough.ui.insights.window"


def time_window_open(data_dir: Path, repeat: int, timeout_ms: int = 30_000) -> list[float] | str:
    """Milliseconds per opening, or why there was nothing to time."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from followthrough.paths import prepare_data_dir
    from followthrough.services.database import Database
    from followthrough.ui.ops import Operations

    window_class: Any = importlib.import_module(WINDOW_MODULE).InsightsWindow
    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = Database.open(prepare_data_dir(data_dir))
    ops = Operations(db)

    class FirstPaint(QObject):
        """Ends the loop at the first paint of the page once its report is in."""

        def __init__(self, loop: QEventLoop) -> None:
            super().__init__()
            self.loop = loop
            self.armed = False
            self.at: float | None = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if self.armed and self.at is None and event.type() == QEvent.Type.Paint:
                self.at = time.perf_counter()
                self.loop.quit()
            return False

    times: list[float] = []
    try:
        for _ in range(repeat):
            loop = QEventLoop()
            watcher = FirstPaint(loop)
            start = time.perf_counter()
            window = window_class(ops, lambda _lead_id: None)
            page = window.page()
            if page is None:
                window.deleteLater()
                return "skipped: the Insights window has no page (no report in the catalog)"
            page.installEventFilter(watcher)

            def arm(_key: str, watcher: FirstPaint = watcher, page: Any = page) -> None:
                watcher.armed = True
                page.update()  # the new view is painted at the next paint of the page

            window.loaded.connect(arm)
            QTimer.singleShot(timeout_ms, loop.quit)
            window.show()
            loop.exec()
            if watcher.at is None:
                raise SystemExit(f"the Insights window did not paint within {timeout_ms} ms")
            times.append((watcher.at - start) * 1000)
            window.close()
            window.deleteLater()
            # Each opening is timed from a quiet app: the suggestions this one asked for
            # after its first page must not be still reading when the next one opens.
            while ops.busy:
                app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
            app.processEvents()
    finally:
        ops.shutdown()
        db.close()
    return times
