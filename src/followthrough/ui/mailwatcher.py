"""Checks the mailbox on a timer and on demand, each pass on a thread of its own.

A pass reads the account, its password from the keyring and the new mail's headers, and logs
what it found (services/mailwatch.py). It never runs on the database worker: a mail server
that is slow to answer would hold every other database operation back for its whole timeout.
Its reads and writes do, though: the pass hands each one to the database worker and waits
for it (Operations.call), so only that one thread ever writes to the database.

When a pass fails, the watcher tries again after 1, 2, 4 … up to 60 minutes, and says what is
wrong once per distinct problem, not once per failed pass; the first pass that works brings
the usual interval back and clears the message.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from followthrough.domain.mailaccount import MailAccount
from followthrough.errors import FollowthroughError
from followthrough.services.mailaccount import get_account
from followthrough.services.mailwatch import PassReport, check_mail
from followthrough.services.secrets import read_password
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.changes import LEADS
from followthrough.ui.ops import UNEXPECTED, Background, Operations

MINUTE_MS = 60_000
MAX_BACKOFF_MINUTES = 60
HIDDEN = "[password]"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Outcome:
    account: MailAccount | None  # None: no account is set up, nothing was checked
    report: PassReport | None


def _one_pass(on_database: DatabaseTurn) -> _Outcome:
    account = on_database(get_account)
    if account is None:
        return _Outcome(None, None)
    # Read at each pass, never kept: a password changed in the settings is used at once.
    password = read_password(account.key)
    report: PassReport | None = None
    try:
        report = check_mail(on_database, account, password)
    except FollowthroughError:
        raise  # one sentence of the app's own: never holds the password
    except Exception as exc:
        # A library's message may quote what it was sent: the traceback is written here,
        # where the password is known and can be taken out, not by the lane that ran us.
        log.error("a mail pass failed: %s", _without(password, _traceback(exc)))
    if report is None:  # raised out here, so the error does not carry the one above along
        raise FollowthroughError(UNEXPECTED)
    return _Outcome(account, report)


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).rstrip()


def _without(password: str, text: str) -> str:
    """`text` with the password taken out, as typed and as Python would quote it."""
    for form in {password, repr(password)[1:-1], repr(password.encode())[2:-1]}:
        if form:
            text = text.replace(form, HIDDEN)
    return text


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
        # Only the bound method crosses over: it queues work for the database thread and
        # waits there, on the pass's own thread; the GUI thread is never asked for anything.
        on_database = self.ops.call
        return self._thread.run(lambda: _one_pass(on_database), self._done, self._failed)

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
            self.ops.announce(LEADS)  # the board, Today and the lead panel read again

    def _failed(self, error: FollowthroughError) -> None:
        if self._stopped:
            return
        self.failures += 1
        backoff = min(2 ** (self.failures - 1), MAX_BACKOFF_MINUTES)
        self._timer.start(backoff * self.minute_ms)
        status = problem_status(str(error))
        if status != self.status:  # logged once per problem, as the status bar says it
            log.warning("mail is not being checked: %s", error)
        self._say(status)

    def _say(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)
