"""New alerts pop up on a real desktop notification server, and its buttons act on the alert.

Each test runs its own D-Bus session bus (dbus-daemon) and, where it wants one, a real
org.freedesktop.Notifications server on it that records what it was asked to show.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.services import alerts, leads
from followthrough.services.preferences import update_preferences
from followthrough.services.readmodels import AlertView
from followthrough.store.db import Database
from followthrough.ui.changes import ALERTS
from followthrough.ui.notify import AlertNotifier
from followthrough.ui.ops import Operations
from followthrough.ui.scheduler import Scheduler
from tests.conftest import NOW
from tests.support.notification_server import (
    NotificationServer,
    NotifyCall,
    notification_server,
    private_session_bus,
)

LATER = NOW + timedelta(days=2, minutes=1)  # Wednesday 11:01 in Paris: silences are due
EVENING = datetime(2026, 11, 25, 19, 30, tzinfo=UTC)  # Wednesday 20:30 in Paris
NEXT_MORNING = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # Thursday 09:00 in Paris


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with private_session_bus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@pytest.fixture
def server(bus: str) -> Iterator[NotificationServer]:
    with notification_server(bus) as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(LATER)


@pytest.fixture
def notifier(bus: str, ops: Operations, clock: FakeClock) -> Iterator[AlertNotifier]:
    # Depends on the bus so it is shut down before the bus goes away.
    alert_notifier = AlertNotifier(ops, clock)
    yield alert_notifier
    alert_notifier.shutdown()
    assert not alert_notifier.bridge.running  # no thread left behind


def add_silent_leads(db: Database, *names: str) -> None:
    """Leads written to on Monday and silent since: a tick on Wednesday raises a silence each."""
    for name in names:
        lead = leads.add_lead(db, NewLead.create(name=name, now=NOW, next_step="Pilot"), NOW)
        leads.log_event(db, lead.id, SignalKind.SENT, at=NOW, now=NOW)


def silent_leads(db: Database, *names: str) -> list[AlertView]:
    add_silent_leads(db, *names)
    return alerts.tick(db, LATER)


def shown(qtbot: QtBot, server: NotificationServer, count: int = 1) -> list[NotifyCall]:
    qtbot.waitUntil(lambda: len(server.calls) >= count, timeout=5000)
    return server.calls


def status_of(db: Database, alert_id: int) -> AlertView:
    (alert,) = [a for a in alerts.list_alerts(db, include_resolved=True) if a.id == alert_id]
    return alert


def test_a_tick_that_raises_an_alert_shows_a_notification(
    qtbot: QtBot,
    db: Database,
    ops: Operations,
    server: NotificationServer,
    notifier: AlertNotifier,
    clock: FakeClock,
) -> None:
    add_silent_leads(db, "Ana Silva")  # the scheduler's tick on Wednesday raises the alert
    scheduler = Scheduler(ops, clock)
    notifier.watch(scheduler)
    with qtbot.waitSignal(notifier.announced, timeout=5000):
        scheduler.tick_now()
    (call,) = server.calls
    (alert,) = alerts.list_alerts(db)
    assert call.app_name == "Followthrough"
    assert call.summary == "Ana Silva"
    assert call.body == alert.reason
    assert list(call.action_labels) == ["", "Draft", "Snooze", "Done"]  # "" is the click
    assert notifier.available
    scheduler.stop()


def test_a_tick_raising_nothing_new_shows_nothing(
    qtbot: QtBot, db: Database, server: NotificationServer, notifier: AlertNotifier
) -> None:
    (ana,) = silent_leads(db, "Ana Silva")
    notifier.announce([])
    notifier.announce([ana])  # a marker: once it shows, anything before it has shown too
    assert [c.summary for c in shown(qtbot, server)] == ["Ana Silva"]


def test_snooze_on_the_notification_snoozes_the_alert_for_an_hour(
    qtbot: QtBot, db: Database, ops: Operations, server: NotificationServer, notifier: AlertNotifier
) -> None:
    (alert,) = silent_leads(db, "Ana Silva")
    notifier.announce([alert])
    (call,) = shown(qtbot, server)
    with qtbot.waitSignal(ops.changed, timeout=5000) as told:
        server.invoke_action(call.id, call.action_labels["Snooze"])
    assert told.args == [ALERTS]  # Today and the badges read again; nothing else moved
    qtbot.waitUntil(lambda: status_of(db, alert.id).status == "snoozed", timeout=5000)
    assert status_of(db, alert.id).snoozed_until == LATER + timedelta(hours=1)
    assert alerts.list_alerts(db) == []  # gone from Today until then


def test_done_on_the_notification_resolves_the_alert(
    qtbot: QtBot, db: Database, ops: Operations, server: NotificationServer, notifier: AlertNotifier
) -> None:
    (alert,) = silent_leads(db, "Ana Silva")
    notifier.announce([alert])
    (call,) = shown(qtbot, server)
    with qtbot.waitSignal(ops.changed, timeout=5000) as told:  # the views hear of it
        server.invoke_action(call.id, call.action_labels["Done"])
    assert told.args == [ALERTS]
    assert status_of(db, alert.id).status == "done"
    assert status_of(db, alert.id).resolved_at == LATER


def test_clicking_the_notification_opens_its_lead(
    qtbot: QtBot, db: Database, server: NotificationServer, notifier: AlertNotifier
) -> None:
    (alert,) = silent_leads(db, "Ana Silva")
    notifier.announce([alert])
    (call,) = shown(qtbot, server)
    with qtbot.waitSignal(notifier.open_lead, timeout=5000) as opened:
        server.invoke_action(call.id, "default")
    assert opened.args == [alert.lead_id]
    assert status_of(db, alert.id).status == "open"  # looking is not acting


def test_draft_on_the_notification_asks_for_a_draft_and_opens_the_lead(
    qtbot: QtBot, db: Database, server: NotificationServer, notifier: AlertNotifier
) -> None:
    (alert,) = silent_leads(db, "Ana Silva")
    notifier.announce([alert])
    (call,) = shown(qtbot, server)
    with (
        qtbot.waitSignal(notifier.draft_requested, timeout=5000) as draft,
        qtbot.waitSignal(notifier.open_lead, timeout=5000) as opened,
    ):
        server.invoke_action(call.id, call.action_labels["Draft"])
    assert (draft.args, opened.args) == ([alert.id], [alert.lead_id])


def test_five_alerts_at_once_are_one_summary_that_opens_today(
    qtbot: QtBot, db: Database, server: NotificationServer, notifier: AlertNotifier
) -> None:
    raised = silent_leads(db, "Ana Silva", "Bo Chen", "Cy Diaz", "Di Eng", "Ed Fox")
    notifier.announce(raised)
    (summary,) = shown(qtbot, server)
    assert (summary.summary, summary.body) == ("5 leads need you", "Ana Silva, Bo Chen and 3 more")
    assert list(summary.action_labels) == [""]  # no Done for five alerts at once
    (marker,) = silent_leads(db, "Zed")
    notifier.announce([marker])
    assert [c.summary for c in shown(qtbot, server, 2)] == ["5 leads need you", "Zed"]
    with qtbot.waitSignal(notifier.open_today, timeout=5000):
        server.invoke_action(summary.id, "default")


def test_quiet_mode_shows_nothing(
    qtbot: QtBot, db: Database, ops: Operations, server: NotificationServer, notifier: AlertNotifier
) -> None:
    update_preferences(db, {"quiet": True}, NOW)
    ana, bo = silent_leads(db, "Ana Silva", "Bo Chen")
    notifier.announce([ana])
    # Through the same queue as the announcement: quiet mode is over only after it was read.
    ops.run(lambda db: update_preferences(db, {"quiet": False}, NOW))
    notifier.announce([bo])
    assert [c.summary for c in shown(qtbot, server)] == ["Bo Chen"]


def test_alerts_raised_in_the_evening_wait_for_the_morning_unless_handled(
    qtbot: QtBot,
    db: Database,
    server: NotificationServer,
    notifier: AlertNotifier,
    clock: FakeClock,
) -> None:
    ana, bo = silent_leads(db, "Ana Silva", "Bo Chen")
    clock.now = EVENING
    notifier.announce([ana, bo])
    alerts.resolve(db, ana.id, "done", EVENING)  # handled in the app that same evening
    clock.now = NEXT_MORNING - timedelta(minutes=1)
    notifier.release_held()  # still before working time: nothing
    clock.now = NEXT_MORNING
    notifier.release_held()
    assert [c.summary for c in shown(qtbot, server)] == ["Bo Chen"]


def test_without_a_notification_server_nothing_breaks_and_the_window_is_told(
    qtbot: QtBot, db: Database, bus: str, ops: Operations, clock: FakeClock
) -> None:
    alert_notifier = AlertNotifier(ops, clock)  # the bus runs, but nobody serves notifications
    with qtbot.waitSignal(alert_notifier.status_changed, timeout=10000) as told:
        pass
    assert told.args == [
        "Desktop notifications are unavailable: no notification service is running"
    ]
    assert not alert_notifier.available
    alert_notifier.shutdown()
    assert not alert_notifier.bridge.running


def test_a_server_that_starts_later_is_used(
    qtbot: QtBot, db: Database, bus: str, ops: Operations, clock: FakeClock
) -> None:
    alert_notifier = AlertNotifier(ops, clock)
    qtbot.waitUntil(lambda: not alert_notifier.available, timeout=10000)
    (alert,) = silent_leads(db, "Ana Silva")
    with notification_server(bus) as server:
        with qtbot.waitSignal(alert_notifier.status_changed, timeout=10000) as told:
            alert_notifier.announce([alert])
        assert told.args == [""]
        assert [c.summary for c in shown(qtbot, server)] == ["Ana Silva"]
        assert alert_notifier.available
        alert_notifier.shutdown()


def test_without_a_session_bus_nothing_breaks_and_the_window_is_told(
    qtbot: QtBot, db: Database, ops: Operations, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/followthrough-bus")
    alert_notifier = AlertNotifier(ops, clock)
    with qtbot.waitSignal(alert_notifier.status_changed, timeout=10000) as told:
        (alert,) = silent_leads(db, "Ana Silva")
        alert_notifier.announce([alert])
    assert told.args == ["Desktop notifications are unavailable: no desktop session bus was found"]
    assert not alert_notifier.available
    alert_notifier.shutdown()
    assert not alert_notifier.bridge.running
