"""A source the app reads by itself (the mailbox, the calendar), on a timer and on demand, each
pass on a thread of its own.

A pass talks to a server, so it never runs on the database worker: a server slow to answer
would hold every other database operation back for its whole timeout. Its reads and writes
do, though: the pass hands each one to the database worker and waits for it
(Operations.call), so only that one thread ever writes to the database.

When a pass fails, the watcher tries again after 1, 2, 4 … up to 60 minutes, and says what is
wrong once per distinct problem, not once per failed pass; the first pass that works brings
the usual interval back and clears the message. The mail and calendar watchers differ only in
their pass and their words (mailwatcher.py, calendarwatcher.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from followthrough.errors import FollowthroughError
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.changes import LEADS
from followthrough.ui.ops import Background, Operations

MINUTE_MS = 60_000
MAX_BACKOFF_MINUTES = 60

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassOutcome:
    """What one pass came back with, as the watcher needs it."""

    report: object | None  # what the pass found; None: nothing is set up, nothing was checked
    interval_minutes: int = 0  # when the next timed pass is due
    logged: int = 0  # entries it logged
    changed: bool = False  # it wrote something the views show (logged, or asked something)


@dataclass(frozen=True)
class Wording:
    """How a watcher speaks of itself: "Mail is not being checked", in the status bar."""

    stopped: str  # "Mail is not being checked": a problem's sentence starts with it

    def problem(self, message: str) -> str:
        return f"{self.stopped}: {message.strip().rstrip('.')}. Trying again later."


OnePass = Callable[[DatabaseTurn], PassOutcome]


class PassWatcher(QObject):
    checked = Signal(object)  # the pass's report, after each pass that worked
    logged = Signal(int)  # how many entries a pass logged (only when it logged some)
    status_changed = Signal(str)  # one sentence for the status bar; "" when all is well again
    finished = Signal()  # after each pass, whether it worked or not (`status` says)

    def __init__(
        self,
        ops: Operations,
        one_pass: OnePass,
        name: str,
        wording: Wording,
        parent: QObject | None = None,
        *,
        minute_ms: int = MINUTE_MS,
    ) -> None:
        """`one_pass` runs on the watcher's own thread ("followthrough-<name>_…") and is
        handed the database worker's Operations.call for its reads and writes."""
        super().__init__(parent)
        self.ops = ops
        self.wording = wording
        self.minute_ms = minute_ms  # tests shorten the minute; the app never does
        self.status = ""
        self.failures = 0
        self.last_checked: datetime | None = None
        self._one_pass = one_pass
        self._thread = Background(name, self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)  # re-armed after each pass, with the delay it calls for
        self._timer.timeout.connect(self.check_now)
        self._stopped = False

    @property
    def running(self) -> bool:
        """A pass is in flight."""
        return self._thread.busy

    @property
    def next_delay_minutes(self) -> int | None:
        """Minutes until the next timed pass; None when none is planned."""
        if not self._timer.isActive():
            return None
        return round(self._timer.interval() / self.minute_ms)

    def start(self) -> None:
        """The first pass now; the timer follows from its outcome."""
        self._stopped = False
        self.check_now()

    def check_now(self) -> bool:
        """A pass now, unless one is already under way (passes never overlap)."""
        if self._stopped or self.running:
            return False
        self._timer.stop()
        # Only the bound method crosses over: it queues work for the database thread and
        # waits there, on the pass's own thread; the GUI thread is never asked for anything.
        on_database, one_pass = self.ops.call, self._one_pass
        return self._thread.run(lambda: one_pass(on_database), self._done, self._failed)

    def stop(self) -> None:
        """No more passes; waits for one in flight (its writes are one transaction)."""
        self._stopped = True
        self._timer.stop()
        self._thread.shutdown()

    def _done(self, outcome: PassOutcome) -> None:
        if self._stopped:
            return
        self._worked(outcome)
        self.finished.emit()

    def _worked(self, outcome: PassOutcome) -> None:
        self.failures = 0
        if outcome.report is None:
            self._say("")  # nothing set up (any more): nothing to check, nothing wrong
            return  # saving the settings calls check_now, which starts the timer again
        self.last_checked = datetime.now().astimezone()
        self._timer.start(outcome.interval_minutes * self.minute_ms)
        self._say("")
        self.checked.emit(outcome.report)
        self._found(outcome.report)
        if outcome.logged:
            self.logged.emit(outcome.logged)
        if outcome.changed:
            self.ops.announce(LEADS)  # the board, Today and the lead panel read again

    def _found(self, report: object) -> None:
        """A subclass's own signals about what a pass found (before the views are told)."""

    def _failed(self, error: FollowthroughError) -> None:
        if self._stopped:
            return
        self.failures += 1
        backoff = min(2 ** (self.failures - 1), MAX_BACKOFF_MINUTES)
        self._timer.start(backoff * self.minute_ms)
        status = self.wording.problem(str(error))
        if status != self.status:  # logged once per problem, as the status bar says it
            stopped = self.wording.stopped
            log.warning("%s: %s", stopped[:1].lower() + stopped[1:], error)
        self._say(status)
        self.finished.emit()

    def _say(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)
