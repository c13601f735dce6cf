"""The calendar watcher: a pass off the GUI thread against a real local calendar server, the
views told when it logged or asked something, one status sentence per problem, back-off and
recovery.

Real HTTP server (tests/support/icsserver.py), real gnome-keyring, real SQLite. Passes are
driven with `check_now()`; the watcher's minute is a real minute, so its timer never fires
during a test. Times are the wall clock's: the watcher reads the calendar as of now.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from followthrough.domain.leads import NewLead
from followthrough.services import leads
from followthrough.services.calendar.watch import set_calendar_url
from followthrough.services.clock import utcnow
from followthrough.store.db import Database
from followthrough.store.models import Event
from followthrough.ui.calendarwatcher import CalendarReport, CalendarWatcher
from followthrough.ui.changes import LEADS
from followthrough.ui.ops import Operations
from tests.support.database import record_session_threads
from tests.support.icsserver import IcsServer, ics

PASS_TIMEOUT = 30000  # ms; a pass against a local server takes well under a second


@pytest.fixture
def watcher(
    ics_feed: IcsServer, keyring_home: Path, db: Database, ops: Operations
) -> Iterator[CalendarWatcher]:
    set_calendar_url(db, ics_feed.url)
    watching = CalendarWatcher(ops)
    yield watching
    watching.stop()


def a_lead(db: Database, name: str, email: str) -> int:
    at = utcnow() - timedelta(days=10)
    return leads.add_lead(db, NewLead.create(name=name, email=email, now=at), at).id


def kinds(db: Database, lead_id: int) -> list[str]:
    with db.read() as session:
        query = (
            select(Event.kind)
            .where(Event.lead_id == lead_id, Event.kind != "state_change")  # its creation
            .order_by(col(Event.id))
        )
        return list(session.exec(query))


def check(qtbot: QtBot, watcher: CalendarWatcher) -> CalendarReport:
    with qtbot.waitSignal(watcher.checked, timeout=PASS_TIMEOUT) as passed:
        assert watcher.check_now()
    report = passed.args[0]
    assert isinstance(report, CalendarReport)
    return report


def test_a_meeting_booked_with_a_lead_is_logged_and_the_views_are_told(
    qtbot: QtBot, watcher: CalendarWatcher, ics_feed: IcsServer, db: Database, ops: Operations
) -> None:
    dana = a_lead(db, "Dana Reyes", "dana@acme.io")
    ics_feed.document = ics("DANA@acme.io", "someone@else.org", start=utcnow() + timedelta(days=2))
    changed: list[object] = []
    ops.changed.connect(changed.append)
    with qtbot.waitSignal(watcher.logged, timeout=PASS_TIMEOUT) as logged:
        report = check(qtbot, watcher)
    assert logged.args == [1]
    qtbot.waitUntil(lambda: changed == [LEADS], timeout=PASS_TIMEOUT)
    assert [(m.lead_id, m.step.value) for m in report.calendar.logged] == [(dana, "booked")]
    assert kinds(db, dana) == ["meeting_booked"]
    assert watcher.status == ""
    assert watcher.next_delay_minutes == 15

    # Nothing new: logged nothing, and no view is asked to read again.
    changed.clear()
    again = check(qtbot, watcher)
    assert (again.calendar.logged, again.calendar.occurrences, again.asked) == ((), None, ())
    assert changed == []
    assert kinds(db, dana) == ["meeting_booked"]


def test_a_meeting_that_has_ended_is_asked_about_once(
    qtbot: QtBot, watcher: CalendarWatcher, ics_feed: IcsServer, db: Database
) -> None:
    bob = a_lead(db, "Bob Stone", "bob@beta.io")
    ics_feed.document = ics("bob@beta.io", start=utcnow() - timedelta(hours=3), title="Demo")
    with qtbot.waitSignal(watcher.asked, timeout=PASS_TIMEOUT) as asked:
        check(qtbot, watcher)
    (question,) = asked.args[0]
    assert (question.lead_id, question.lead_name, question.title) == (bob, "Bob Stone", "Demo")
    # Still unanswered at the next pass: it stays in Today, but is not asked again.
    said: list[object] = []
    watcher.asked.connect(said.append)
    assert check(qtbot, watcher).asked == ()
    assert said == []


def test_an_unreadable_calendar_is_said_once_backs_off_and_recovers(
    qtbot: QtBot, watcher: CalendarWatcher, ics_feed: IcsServer, db: Database
) -> None:
    dana = a_lead(db, "Dana Reyes", "dana@acme.io")
    ics_feed.document = ics("dana@acme.io", start=utcnow() + timedelta(days=2))
    ics_feed.status = 503
    said: list[str] = []
    watcher.status_changed.connect(said.append)
    delays = []
    for _ in range(3):
        assert watcher.check_now()
        qtbot.waitUntil(lambda: not watcher.running, timeout=PASS_TIMEOUT)
        delays.append(watcher.next_delay_minutes)
    assert delays == [1, 2, 4]
    assert said == [
        "Calendar is not being read: the calendar server said 503 Service Unavailable. "
        "Trying again later."
    ]
    assert "private-abc123" not in said[0]  # the private address is a secret
    assert kinds(db, dana) == []

    ics_feed.status = 200
    with qtbot.waitSignal(watcher.status_changed, timeout=PASS_TIMEOUT) as cleared:
        check(qtbot, watcher)
    assert cleared.args == [""]
    assert kinds(db, dana) == ["meeting_booked"]
    assert watcher.next_delay_minutes == 15


def test_without_a_calendar_nothing_is_read_and_nothing_is_wrong(
    qtbot: QtBot, keyring_home: Path, ops: Operations
) -> None:
    watching = CalendarWatcher(ops)
    try:
        said: list[str] = []
        watching.status_changed.connect(said.append)
        assert watching.check_now()
        qtbot.waitUntil(lambda: not watching.running, timeout=PASS_TIMEOUT)
        assert (said, watching.status, watching.next_delay_minutes) == ([], "", None)
    finally:
        watching.stop()


def test_a_pass_uses_the_database_only_on_the_database_thread_and_stop_waits_for_it(
    qtbot: QtBot,
    watcher: CalendarWatcher,
    ics_feed: IcsServer,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a_lead(db, "Rui Alves", "rui@buyer.example")
    ics_feed.document = ics("rui@buyer.example", start=utcnow() + timedelta(days=1))
    used_on = record_session_threads(monkeypatch)
    check(qtbot, watcher)
    assert used_on
    assert set(used_on) == {"followthrough-db"}  # never the calendar's own thread

    assert watcher.check_now()
    watcher.stop()
    assert not [t for t in threading.enumerate() if t.name.startswith("followthrough-calendar_")]
    assert not watcher.check_now()  # stopped: no more passes
    assert watcher.next_delay_minutes is None
