"""Checks the mailbox on a timer and on demand, each pass on a thread of its own.

A pass reads the account, its password from the keyring and the new mail's headers, and logs
what it found (services/mailwatch.py). It never runs on the database worker: a mail server
that is slow to answer would hold every other database operation back for its whole timeout.

When a pass fails, the watcher tries again after 1, 2, 4 … up to 60 minutes, and says what is
wrong once per distinct problem, not once per failed pass; the first pass that works brings
the usual interval back and clears the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from followthrough.domain.mailaccount import MailAccount
from followthrough.errors import FollowthroughError
from followthrough.services.mailaccount import get_account
from followthrough.services.mailwatch import PassReport, check_mail
from followthrough.services.secrets import read_password
from followthrough.store.db import Database
from followthrough.ui.ops import Background, Operations

MINUTE_MS = 60_000
MAX_BACKOFF_MINUTES = 60


@dataclass(frozen=True)
class _Outcome:
    account: MailAccount | None  # None: no account is set up, nothing was checked
    report: PassReport | None


def _one_pass(db: Database) -> _Outcome:
    account = get_account(db)
    if account is None:
        return _Outcome(None, None)
    # Read at each pass, never kept: a password changed in the settings is used at once.
    password = read_password(account.key)
    return _Outcome(account, check_mail(db, account, password))


def problem_status(message: str) -> str:
    return f"Mail is not being checked: {message.strip().rstrip('.')}. Trying again later."


class MailWatcher(QObject):
    checked = Signal(object)  # a PassReport, after each pass that worked
    logged = Signal(int)  # how many entries a pass logged (only when it logged some)
    status_changed = Signal(str)  # one sentence for the status bar; "" when all is well again

    def __init__(
        self, ops: Operations, parent: QObject | None = None, *, minute_ms: int = MINUTE_MS
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.minute_ms = minute_ms  # tests shorten the minute; the app never does
        self.status = ""
        self.failures = 0
        self.last_checked: datetime | None = None
        self._thread = Background("mail", self)
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
        db = self.ops.db
        return self._thread.run(lambda: _one_pass(db), self._done, self._failed)

    def stop(self) -> None:
        """No more passes; waits for one in flight (its writes are one transaction)."""
        self._stopped = True
        self._timer.stop()
        self._thread.shutdown()

    def _done(self, outcome: _Outcome) -> None:
        if self._stopped:
            return
        self.failures = 0
        if outcome.account is None or outcome.report is None:
            self._say("")  # no account (any more): nothing to check, nothing wrong
            return  # saving an account calls check_now, which starts the timer again
        self.last_checked = datetime.now().astimezone()
        self._timer.start(outcome.account.interval_minutes * self.minute_ms)
        self._say("")
        report = outcome.report
        self.checked.emit(report)
        if report.logged:
            self.logged.emit(len(report.logged))
            self.ops.changed.emit()  # the board, Today and the lead panel read again

    def _failed(self, error: FollowthroughError) -> None:
        if self._stopped:
            return
        self.failures += 1
        backoff = min(2 ** (self.failures - 1), MAX_BACKOFF_MINUTES)
        self._timer.start(backoff * self.minute_ms)
        self._say(problem_status(str(error)))

    def _say(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)
