"""Python's cycle collector, run only on the GUI thread, between events.

CPython collects reference cycles on whichever thread happens to cross an allocation
threshold. Here that is usually a worker (the database thread allocates a lot), and a cycle
that holds a Qt object — a dialog and the lambdas connected to it, a font, a palette — is then
destroyed on that worker while the GUI thread paints with it: a crash in paintEvent that shows
only when the machine is busy. So automatic collection is switched off and the same
thresholds are checked from a timer on the GUI thread, where the event loop is between events
and no widget is half-way through painting. (calibre and pyqtgraph do the same.)
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500  # often enough that garbage never piles up, rare enough to cost nothing


class GuiThreadCollector(QObject):
    """Switches automatic collection off while it lives; `collect_now` runs a pass by hand."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> int:
        """Collect the generations whose counts passed their threshold, as CPython would."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                return gc.collect(generation)
        return 0

    @staticmethod
    def collect_now() -> int:
        return gc.collect()

    def stop(self) -> None:
        """Back to CPython's own collection (at exit everything runs on one thread anyway)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
