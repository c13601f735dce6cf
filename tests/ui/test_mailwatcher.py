"""The mail watcher: passes off the GUI thread, one message per problem, back-off, recovery.

Real Dovecot, real gnome-keyring, real SQLite. Passes are driven with `check_now()`; the
watcher's minute is left at a real minute so its own timer never fires during a test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.mailaccount import Security
from followthrough.domain.signals import SignalKind
from followthrough.services import leads
from followthrough.services.mailaccount import get_account, set_account
from followthrough.services.mailwatch import PassReport
from followthrough.services.secrets import store_password
from followthrough.services.timeline import lead_timeline
from followthrough.store.db import Database
from followthrough.ui import mailwatcher
from followthrough.ui.mailwatcher import MailWatcher
from followthrough.ui.ops import Operations
from tests.conftest import NOW
from tests.support.database import record_session_threads
from tests.support.mailserver import MailServer, message

PASS_TIMEOUT = 30000  # ms; a pass against a local server takes well under a second


@pytest.fixture
def watcher(
    server: MailServer, keyring_home: Path, db: Database, ops: Operations
) -> Iterator[MailWatcher]:
    account = server.account(Security.TLS, interval_minutes=5)
    set_account(db, account, server.password)
    watching = MailWatcher(ops)
    yield watching
    watching.stop()


def a_lead(db: Database, name: str, email: str) -> int:
    view = leads.add_lead(db, NewLead.create(name=name, email=email, now=NOW), NOW)
    leads.log_event(db, view.id, SignalKind.SENT, at=NOW - timedelta(days=6), now=NOW)
    return view.id


def reply_from(sender: str, subject: str) -> bytes:
    return message(
        sender,
        "founder@example.com",
        subject,
        date=NOW + timedelta(minutes=5),
        message_id=make_msgid(domain="buyer.example"),
    )


def check(qtbot: QtBot, watcher: MailWatcher) -> PassReport:
    with qtbot.waitSignal(watcher.checked, timeout=PASS_TIMEOUT) as passed:
        assert watcher.check_now()
    report = passed.args[0]
    assert isinstance(report, PassReport)
    return report


def test_a_reply_in_the_inbox_is_logged_and_the_views_are_told(
    qtbot: QtBot, watcher: MailWatcher, server: MailServer, db: Database, ops: Operations
) -> None:
    lead_id = a_lead(db, "Ines Costa", "ines@buyer.example")
    server.append("INBOX", reply_from("Ines Costa <ines@buyer.example>", "Re: the pilot"))
    with qtbot.waitSignals([ops.changed, watcher.logged], timeout=PASS_TIMEOUT):
        report = check(qtbot, watcher)
    assert [(entry.lead_id, entry.kind) for entry in report.logged] == [(lead_id, "replied")]
    entries = lead_timeline(db, lead_id, NOW).entries
    replied = [entry for entry in entries if entry.kind == SignalKind.REPLIED.value]
    assert len(replied) == 1
    assert replied[0].direction == "in"
    assert replied[0].text == "Re: the pilot"
    # Nothing new: the next pass logs nothing and tells no view to read again.
    again = check(qtbot, watcher)
    assert again.logged == ()
    assert watcher.status == ""
    assert watcher.next_delay_minutes == 5


def test_passes_never_overlap(qtbot: QtBot, watcher: MailWatcher) -> None:
    with qtbot.waitSignal(watcher.checked, timeout=PASS_TIMEOUT):
        assert watcher.check_now()
        assert watcher.running
        assert not watcher.check_now()  # a pass is under way: this one is not started
    assert not watcher.running


def test_a_stopped_server_is_said_once_backs_off_and_recovery_logs_the_mail(
    qtbot: QtBot, watcher: MailWatcher, server: MailServer, db: Database
) -> None:
    lead_id = a_lead(db, "Omar Haddad", "omar@buyer.example")
    check(qtbot, watcher)  # the watcher knows the mailbox as it is now
    server.append("INBOX", reply_from("omar@buyer.example", "Re: pricing"))
    said: list[str] = []
    watcher.status_changed.connect(said.append)
    server.stop()
    try:
        delays = []
        for _ in range(4):
            assert watcher.check_now()
            qtbot.waitUntil(lambda: not watcher.running, timeout=PASS_TIMEOUT)
            delays.append(watcher.next_delay_minutes)
    finally:
        server.start()
    assert len(said) == 1  # one message for one problem, however many passes fail
    assert said[0].startswith("Mail is not being checked:")
    assert server.password not in said[0]
    assert delays == [1, 2, 4, 8]
    assert watcher.failures == 4

    with qtbot.waitSignal(watcher.status_changed, timeout=PASS_TIMEOUT) as cleared:
        report = check(qtbot, watcher)
    assert cleared.args == [""]
    assert [(entry.lead_id, entry.kind) for entry in report.logged] == [(lead_id, "replied")]
    assert watcher.next_delay_minutes == 5  # the usual interval again
    assert said == [said[0], ""]


def test_the_back_off_stops_growing_at_an_hour(
    qtbot: QtBot, watcher: MailWatcher, db: Database
) -> None:
    account = get_account(db)
    assert account is not None
    store_password(account.key, "an old password")  # changed on the server since
    for _ in range(8):
        assert watcher.check_now()
        qtbot.waitUntil(lambda: not watcher.running, timeout=PASS_TIMEOUT)
    assert watcher.failures == 8
    assert watcher.next_delay_minutes == 60
    assert "refused the user name or password" in watcher.status
    assert "an old password" not in watcher.status


def test_without_an_account_nothing_is_checked_and_nothing_is_wrong(
    qtbot: QtBot, keyring_home: Path, ops: Operations
) -> None:
    watching = MailWatcher(ops)
    try:
        said: list[str] = []
        watching.status_changed.connect(said.append)
        assert watching.check_now()
        qtbot.waitUntil(lambda: not watching.running, timeout=PASS_TIMEOUT)
        assert said == []
        assert watching.status == ""
        assert watching.next_delay_minutes is None
    finally:
        watching.stop()


def test_stop_waits_for_the_pass_in_flight(qtbot: QtBot, watcher: MailWatcher) -> None:
    reports: list[object] = []
    watcher.checked.connect(reports.append)
    assert watcher.check_now()
    watcher.stop()
    # Joined: the pass's thread is gone when stop() returns (the database may close now).
    assert not [t for t in threading.enumerate() if t.name.startswith("followthrough-mail_")]
    assert not watcher.check_now()  # stopped: no more passes
    qtbot.waitUntil(lambda: not watcher.running, timeout=PASS_TIMEOUT)
    assert reports == []  # what the pass found is not delivered to a stopped watcher
    assert watcher.next_delay_minutes is None


def test_a_pass_reads_and_writes_the_database_only_on_the_database_thread(
    qtbot: QtBot,
    watcher: MailWatcher,
    server: MailServer,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead_id = a_lead(db, "Rui Alves", "rui@buyer.example")
    server.append("INBOX", reply_from("rui@buyer.example", "Re: the quote"))
    used_on = record_session_threads(monkeypatch)
    report = check(qtbot, watcher)
    assert [entry.lead_id for entry in report.logged] == [lead_id]
    assert used_on
    assert set(used_on) == {"followthrough-db"}  # never the mail thread


def test_the_log_tells_of_mail_failures_without_the_password(
    qtbot: QtBot,
    watcher: MailWatcher,
    db: Database,
    log_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    throwaway = "thr0waway-Pässword!"
    account = get_account(db)
    assert account is not None
    store_password(account.key, throwaway)  # the server refuses it
    assert watcher.check_now()
    qtbot.waitUntil(lambda: "refused the user name or password" in watcher.status,
                    timeout=PASS_TIMEOUT)  # fmt: skip

    def echoes(*_args: object, **_kwargs: object) -> PassReport:
        # A library that quotes what it was sent, in its message and its repr.
        raise RuntimeError(f"LOGIN {throwaway} {throwaway.encode()!r} rejected")

    monkeypatch.setattr(mailwatcher, "check_mail", echoes)
    assert watcher.check_now()
    qtbot.waitUntil(lambda: "something went wrong" in watcher.status, timeout=PASS_TIMEOUT)
    text = log_file.read_text(encoding="utf-8")
    assert "mail is not being checked: the mail server refused the user name" in text
    assert "RuntimeError: LOGIN [password] b'[password]' rejected" in text
    assert "Traceback (most recent call last)" in text
    assert throwaway not in text
    assert "thr0waway" not in text  # nor any quoted form of it
