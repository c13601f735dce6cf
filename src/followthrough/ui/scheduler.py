"""The engine's clock in the app: tick when the next lead is due, and notice outside writes.

The timer sleeps until the earliest `next_check_at`, never more than a minute, so a clock
change or a wake from sleep is noticed within a minute at worst; a jump between the wall
clock and the monotonic clock makes it tick at once. Writes by another process (the CLI)
are seen through `PRAGMA data_version`, polled every second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from followthrough.services import alerts
from followthrough.services.clock import utcnow
from followthrough.services.readmodels import AlertView
from followthrough.services.watch import ChangeWatch
from followthrough.ui.changes import ALERTS, EVERYTHING, Changes
from followthrough.ui.ops import Operations

MAX_SLEEP = timedelta(minutes=1)
POLL_MS = 1000
JUMP = timedelta(seconds=5)


class Scheduler(QObject):
    raised = Signal(list)  # list[AlertView]: alerts raised or reopened by a tick

    def __init__(
        self,
        ops: Operations,
        clock: Callable[[], datetime] = utcnow,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.clock = clock
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.tick_now)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check_outside_writes)
        self._watch = ChangeWatch(ops.db.path)
        self._anchor = self._clocks()
        ops.changed.connect(self._data_changed)

    def start(self) -> None:
        self._poll.start()
        self.tick_now()

    def stop(self) -> None:
        self._timer.stop()
        self._poll.stop()
        # Closed on the worker, after any check already queued there: closing it here, on
        # the GUI thread, could pull the connection from under a check in flight.
        watch = self._watch
        self.ops.run(lambda db: watch.close())

    def tick_now(self) -> None:
        now = self.clock()
        self.ops.run(lambda db: alerts.tick(db, now), self._ticked)

    def _ticked(self, raised: list[AlertView]) -> None:
        if raised:
            self.raised.emit(raised)
            self.ops.announce(ALERTS)  # the board's badges and the Today list moved
        else:
            self.reschedule()

    def _data_changed(self, changes: Changes) -> None:
        # When the next alert falls due moves with the alerts and the follow-up rules.
        if changes.touches(ALERTS | Changes(policy=True, settings=True)):
            self.reschedule()

    def reschedule(self) -> None:
        self.ops.run(alerts.next_check_at, self._sleep_until)

    def _sleep_until(self, moment: datetime | None) -> None:
        wait = (
            MAX_SLEEP
            if moment is None
            else min(max(moment - self.clock(), timedelta(0)), MAX_SLEEP)
        )
        self._timer.start(int(wait.total_seconds() * 1000))

    @staticmethod
    def _clocks() -> tuple[float, float]:
        return time.time(), time.monotonic()

    def _check_outside_writes(self) -> None:
        wall, mono = self._clocks()
        drift = abs((wall - self._anchor[0]) - (mono - self._anchor[1]))
        self._anchor = (wall, mono)
        if drift > JUMP.total_seconds():  # woke from sleep, or the clock was changed
            self.tick_now()
        self.ops.run(lambda db: self._watch.changed(), self._outside)

    def _outside(self, moved: bool) -> None:
        if moved:
            self.ops.announce(EVERYTHING)  # another process wrote: anything may have moved
