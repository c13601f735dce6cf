"""Checks the mailbox on a timer and on demand, each pass on a thread of its own (watcher.py
says how passes are timed, retried and told).

A pass reads the account, its password from the keyring and the new mail's headers, and logs
what it found (services/mailwatch.py). The password is read at each pass, never kept, and
taken out of anything a failing library would have written to the log.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QObject

from followthrough.errors import FollowthroughError
from followthrough.services.mailaccount import get_account
from followthrough.services.mailwatch import PassReport, check_mail
from followthrough.services.secrets import read_password
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.ops import UNEXPECTED, Operations
from followthrough.ui.watcher import MINUTE_MS, PassOutcome, PassWatcher, Wording

WORDING = Wording("Mail is not being checked")
HIDDEN = "[password]"

log = logging.getLogger(__name__)


def _one_pass(on_database: DatabaseTurn) -> PassOutcome:
    account = on_database(get_account)
    if account is None:
        return PassOutcome(None)  # no account is set up: nothing was checked
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
    logged = len(report.logged)
    return PassOutcome(report, account.interval_minutes, logged, changed=bool(logged))


def _traceback(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).rstrip()


def _without(password: str, text: str) -> str:
    """`text` with the password taken out, as typed and as Python would quote it."""
    for form in {password, repr(password)[1:-1], repr(password.encode())[2:-1]}:
        if form:
            text = text.replace(form, HIDDEN)
    return text


def problem_status(message: str) -> str:
    return WORDING.problem(message)


class MailWatcher(PassWatcher):
    """`checked` carries a PassReport."""

    def __init__(
        self, ops: Operations, parent: QObject | None = None, *, minute_ms: int = MINUTE_MS
    ) -> None:
        super().__init__(ops, _one_pass, "mail", WORDING, parent, minute_ms=minute_ms)
