"""A meeting from the calendar that has ended pops up as "Did the meeting with Bob Stone
happen?" with Held and Missed; a button answers it as Today's buttons do (undoable), the rules
react, and the question leaves Today.

Real components throughout: a calendar served over HTTP (tests/support/icsserver.py), the
address in a real Secret Service, a private D-Bus session bus with a notification server that
records what it shows and presses its buttons, the main window on a real SQLite file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from followthrough.domain.announce import Announcement
from followthrough.domain.leads import NewLead
from followthrough.services import alerts, leads
from followthrough.services.calendar.meetings import open_questions
from followthrough.services.calendar.watch import check_calendar, set_calendar_url
from followthrough.services.clock import local_zone, utcnow
from followthrough.services.preferences import update_preferences
from followthrough.store.db import Database
from followthrough.store.models import Event
from followthrough.ui.calendarwatcher import CalendarWatcher
from followthrough.ui.main_window import MainWindow
from followthrough.ui.notify import AlertNotifier
from followthrough.ui.notify.meeting_questions import MeetingNotifications
from followthrough.ui.ops import Operations
from tests.support.icsserver import IcsServer, ics
from tests.support.notification_server import (
    NotificationServer,
    NotifyCall,
    notification_server,
    private_session_bus,
)
from tests.ui.cards import WAIT, shown_window

PASS_TIMEOUT = 30000  # ms


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
def notifier(bus: str, ops: Operations) -> Iterator[AlertNotifier]:
    alert_notifier = AlertNotifier(ops)
    yield alert_notifier
    alert_notifier.shutdown()


@pytest.fixture
def watcher(
    ics_feed: IcsServer, keyring_home: Path, db: Database, ops: Operations
) -> Iterator[CalendarWatcher]:
    set_calendar_url(db, ics_feed.url)
    watching = CalendarWatcher(ops)
    yield watching
    watching.stop()


def a_meeting_that_ended(db: Database, ics_feed: IcsServer) -> int:
    """Bob Stone, met three hours ago according to the calendar, which was read yesterday,
    when the meeting was still ahead (the calendar set up: `watcher`)."""
    at = utcnow() - timedelta(days=10)
    bob = leads.add_lead(db, NewLead.create(name="Bob Stone", email="bob@beta.io", now=at), at)
    ics_feed.document = ics("bob@beta.io", start=utcnow() - timedelta(hours=3), title="Demo")
    yesterday = check_calendar(db, local_zone(), utcnow() - timedelta(days=1))
    assert [m.step.value for m in yesterday.logged] == ["booked"]
    return bob.id


def wired(
    ops: Operations, window: MainWindow, notifier: AlertNotifier, watcher: CalendarWatcher
) -> MeetingNotifications:
    """As the app's session wires them."""
    asking = MeetingNotifications(ops, window.lead_actions, notifier.bridge)
    watcher.asked.connect(asking.ask)
    return asking


def signals(db: Database, lead_id: int) -> list[str]:
    with db.read() as session:
        query = (
            select(Event.kind)
            .where(Event.lead_id == lead_id, Event.kind != "state_change")  # its creation
            .order_by(col(Event.id))
        )
        return list(session.exec(query))


def shown(qtbot: QtBot, server: NotificationServer) -> NotifyCall:
    qtbot.waitUntil(lambda: len(server.calls) >= 1, timeout=PASS_TIMEOUT)
    (call,) = server.calls
    return call


def test_missed_on_the_notification_logs_it_the_rules_react_and_today_lets_it_go(
    qtbot: QtBot,
    db: Database,
    ops: Operations,
    ics_feed: IcsServer,
    server: NotificationServer,
    notifier: AlertNotifier,
    watcher: CalendarWatcher,
) -> None:
    bob = a_meeting_that_ended(db, ics_feed)
    window = shown_window(qtbot, ops, (1400, 900))
    asking = wired(ops, window, notifier, watcher)
    strip = window.today.questions
    assert watcher.check_now()

    call = shown(qtbot, server)
    assert call.summary == "Did the meeting with Bob Stone happen?"
    assert call.body.startswith("Demo · ")
    assert list(call.action_labels) == ["", "Held", "Missed"]  # "" is the click
    # Today asks too, whatever becomes of the notification.
    qtbot.waitUntil(lambda: len(strip.buttons) == 2, timeout=WAIT)
    assert strip.isVisible()

    with qtbot.waitSignal(asking.answered, timeout=WAIT):
        server.invoke_action(call.id, call.action_labels["Missed"])
    assert signals(db, bob) == ["meeting_booked", "meeting_missed"]
    qtbot.waitUntil(strip.isHidden, timeout=WAIT)
    assert open_questions(db) == []
    # The rules react as to a missed meeting typed by hand.
    raised = alerts.tick(db, utcnow())
    assert [(alert.lead_id, alert.rule) for alert in raised] == [(bob, "meeting_missed")]

    # Answered through the window's undo stack, like Today's buttons: Undo asks again.
    undo = window.menus["undo"]
    qtbot.waitUntil(undo.isEnabled, timeout=WAIT)
    assert undo.text() == "&Undo Log the meeting with Bob Stone as missed"
    undo.trigger()
    qtbot.waitUntil(lambda: len(strip.buttons) == 2, timeout=WAIT)
    assert signals(db, bob) == ["meeting_booked"]
    # The next pass does not ask about it again: it is the same question, still in Today.
    assert watcher.check_now()
    qtbot.waitUntil(lambda: not watcher.running, timeout=PASS_TIMEOUT)
    assert len(server.calls) == 1


def test_held_on_the_notification_logs_a_meeting_held(
    qtbot: QtBot,
    db: Database,
    ops: Operations,
    ics_feed: IcsServer,
    server: NotificationServer,
    notifier: AlertNotifier,
    watcher: CalendarWatcher,
) -> None:
    bob = a_meeting_that_ended(db, ics_feed)
    window = shown_window(qtbot, ops, (1400, 900))
    asking = wired(ops, window, notifier, watcher)
    assert watcher.check_now()
    call = shown(qtbot, server)
    with qtbot.waitSignal(asking.answered, timeout=WAIT):
        server.invoke_action(call.id, call.action_labels["Held"])
    assert signals(db, bob) == ["meeting_booked", "meeting_held"]
    assert alerts.tick(db, utcnow()) == []  # a meeting held raises nothing


def test_quiet_mode_keeps_the_question_in_today_only(
    qtbot: QtBot,
    db: Database,
    ops: Operations,
    ics_feed: IcsServer,
    server: NotificationServer,
    notifier: AlertNotifier,
    watcher: CalendarWatcher,
) -> None:
    a_meeting_that_ended(db, ics_feed)
    update_preferences(db, {"quiet": True})
    window = shown_window(qtbot, ops, (1400, 900))
    wired(ops, window, notifier, watcher)
    with qtbot.waitSignal(watcher.asked, timeout=PASS_TIMEOUT):
        assert watcher.check_now()
    qtbot.waitUntil(lambda: len(window.today.questions.buttons) == 2, timeout=WAIT)
    notifier.bridge.send(Announcement("A marker", "sent after the question was not"))
    qtbot.waitUntil(lambda: len(server.calls) >= 1, timeout=WAIT)
    assert [call.summary for call in server.calls] == ["A marker"]
