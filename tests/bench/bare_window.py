"""The yardstick for start-up: a bare PySide6 window, timed to its first paint.

Run as a script by tests/bench/gui.py, which passes its launch moment in FOLLOWTHROUGH_T0
(a CLOCK_MONOTONIC reading, comparable across processes on one machine): the same span the
app's `--smoke` times, from that launch to the first Paint event of a window of the app's
size (MainWindow's 1280×760) inside `app.exec()`.
"""

from __future__ import annotations

import json
import os
import sys
import time

t0 = float(os.environ.get("FOLLOWTHROUGH_T0") or time.monotonic())

from PySide6.QtCore import QEvent, QObject  # noqa: E402  (the import is what is measured)
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402


class _Painted(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            print(json.dumps({"first_paint_ms": round((time.monotonic() - t0) * 1000, 1)}))
            sys.stdout.flush()
            QApplication.quit()
        return False


app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 760)
painted = _Painted()
window.installEventFilter(painted)
window.show()
app.exec()
