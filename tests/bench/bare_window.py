"""The yardstick for start-up: a bare PySide6 window, timed to its first paint.

Run as a script by tests/bench/gui.py, which passes its launch moment in FOLLOWTHROUGH_T0
(a CLOCK_MONOTONIC reading, comparable across processes on one machine): the same span the
app's `--smoke` times, from that launch to the first Paint event of a window of the app's
size (MainWindow's 1280×800) inside `app.exec()`.
"""

from __future__ import annotations

import json
import os
import sys
import time

t0 = float(os.environ.get("FOLLOWTHROUGH_T0") or time.monotonic())

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402  (the import is what is measured)
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402


class _Painted(QObject):
    exec_at = 0.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            now = time.monotonic()
            timings = {"first_paint_ms": now - t0, "exec_to_paint_ms": now - self.exec_at}
            print(json.dumps({name: round(s * 1000, 1) for name, s in timings.items()}))
            sys.stdout.flush()
            QTimer.singleShot(0, QApplication.quit)  # after the paint, not inside it
        return False


app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 800)
painted = _Painted()
window.installEventFilter(painted)
window.show()
painted.exec_at = time.monotonic()
app.exec()
