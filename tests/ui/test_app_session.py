"""The whole app session on a real notification server: tick → notification → Snooze → DB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.paths import DataPaths
from followthrough.services import alerts, leads
from followthrough.services.preferences import update_preferences
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.notify import AlertNotifier
from followthrough.ui.session import AppSession
from followthrough.ui.single_instance import SingleInstance
from tests.support.notification_server import (
    NotificationServer,
    notification_server,
    private_session_bus,
)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[NotificationServer]:
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        with notification_server(address) as running:
            yield running


def test_a_silent_lead_reaches_the_desktop_and_snooze_there_snoozes_it(
    qtbot: QtBot, data_paths: DataPaths, server: NotificationServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session runs on the real clock: a lead written to three days ago is overdue now.
    now = datetime.now(UTC)
    db = Database.open(data_paths)
    new = NewLead.create(
        name="Ana Silva", next_step="Pilot kickoff", next_step_due=now + timedelta(days=9), now=now
    )
    ana = leads.add_lead(db, new, now, at=now - timedelta(days=4))
    leads.log_event(db, ana.id, SignalKind.SENT, at=now - timedelta(days=3), now=now)
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    update_preferences(db, {"work_start": "00:00", "work_end": "23:59", "work_days": every_day})
    db.close()

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    instance = SingleInstance(data_paths.root)
    assert instance.acquire()
    # Told of every notification the app's notifier puts on the desktop, from its first.
    announced: list[object] = []
    made = AlertNotifier.__init__

    def listening(notifier: AlertNotifier, *args: Any, **kwargs: Any) -> None:
        made(notifier, *args, **kwargs)
        notifier.announced.connect(announced.append)

    monkeypatch.setattr(AlertNotifier, "__init__", listening)
    session = AppSession.open(data_paths, window, app, instance)
    try:
        qtbot.waitUntil(lambda: len(server.calls) == 1, timeout=10_000)
        # The server has the notification; the app has its id once the server's answer is
        # read (on a busy machine that comes later): a click before then names an unknown id.
        qtbot.waitUntil(lambda: bool(announced), timeout=10_000)
        call = server.calls[0]
        assert call.summary == "Ana Silva"
        assert call.body.startswith("No reply for 2 days since you wrote on ")
        qtbot.waitUntil(lambda: window.today.total == 1, timeout=5000)
        server.invoke_action(call.id, call.action_labels["Snooze"])
        qtbot.waitUntil(lambda: window.today.total == 0, timeout=5000)
        [alert] = alerts.list_alerts(session.db, include_resolved=True)
        assert alert.status == "snoozed"
        assert alert.snoozed_until is not None
        assert alert.snoozed_until > datetime.now(UTC) + timedelta(minutes=50)
    finally:
        session.close()
        instance.release()


def test_the_first_start_of_the_day_keeps_a_backup(
    qtbot: QtBot, data_paths: DataPaths, server: NotificationServer
) -> None:
    from followthrough.services.backups import list_backups

    db = Database.open(data_paths)
    db.close()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    instance = SingleInstance(data_paths.root)
    assert instance.acquire()
    session = AppSession.open(data_paths, window, app, instance)
    try:
        qtbot.waitUntil(lambda: len(list_backups(data_paths)) >= 1, timeout=10_000)
        kinds = {b.kind for b in list_backups(data_paths)}
        assert "daily" in kinds
    finally:
        session.close()
        instance.release()


def test_a_reply_in_the_mailbox_shows_on_the_lead_after_check_mail_now(
    qtbot: QtBot, data_paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from followthrough.domain.mailaccount import Security
    from followthrough.services.mailaccount import save_account
    from followthrough.services.secrets import store_password
    from followthrough.services.timeline import lead_timeline
    from tests.support.mailserver import mail_server, message
    from tests.support.secretservice import secret_service

    now = datetime.now(UTC)
    with secret_service(monkeypatch), mail_server() as mailbox:
        db = Database.open(data_paths)
        ana = leads.add_lead(
            db, NewLead.create(name="Ana Silva", email="ana@acme.com", now=now), now
        )
        account = mailbox.account(Security.TLS)
        store_password(account.key, mailbox.password)
        save_account(db, account)
        db.close()

        app = QApplication.instance()
        assert isinstance(app, QApplication)
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        instance = SingleInstance(data_paths.root)
        assert instance.acquire()
        session = AppSession.open(data_paths, window, app, instance)
        try:
            qtbot.waitUntil(lambda: session.mail is not None, timeout=10_000)
            assert session.mail is not None
            qtbot.waitUntil(lambda: not session.mail.running, timeout=10_000)  # the first pass
            mailbox.append(
                "INBOX",
                message("Ana Silva <ana@acme.com>", mailbox.user, "Re: the pilot", date=now),
            )
            with qtbot.waitSignal(session.mail.logged, timeout=20_000):
                window.menus["check mail"].trigger()
            kinds = [e.kind for e in lead_timeline(session.db, ana.id).entries]
            assert "replied" in kinds
            assert not window.mail_status.isVisible()  # no problem to report
        finally:
            session.close()
            instance.release()
