"""The Calendar settings tab: a private address kept in a real keyring (gnome-keyring) only,
read at once from a real local calendar server, and what the read found, said on the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.errors import NotFound
from followthrough.services import leads
from followthrough.services.calendar.account import (
    KEYRING_ENTRY,
    PASSWORD_ENTRY,
    calendar_state,
    set_calendar_url,
)
from followthrough.services.clock import utcnow
from followthrough.services.secrets import read_password
from followthrough.store.db import Database
from followthrough.ui.calendarwatcher import CalendarWatcher
from followthrough.ui.ops import Operations
from followthrough.ui.settings.calendar_page import CalendarPage
from tests.support.database import record_session_threads
from tests.support.icsserver import IcsServer, ics
from tests.support.radicale import Radicale, calendar, event
from tests.support.secretservice import no_keyring

LEFT = Qt.MouseButton.LeftButton
WAIT = 30000  # ms: a read against a local server takes well under a second
OpenPage = Callable[..., CalendarPage]


@pytest.fixture
def open_page(qtbot: QtBot, ops: Operations) -> Iterator[OpenPage]:
    pages: list[CalendarPage] = []

    def open_(watcher: CalendarWatcher | None = None) -> CalendarPage:
        page = CalendarPage(ops, watcher)
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.loaded, timeout=10000):
            page.show()
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.shutdown()  # nothing of the page may still use the keyring or the database


def a_meeting_booked(db: Database, ics_feed: IcsServer) -> int:
    at = utcnow() - timedelta(days=10)
    dana = leads.add_lead(db, NewLead.create(name="Dana Reyes", email="dana@acme.io", now=at), at)
    ics_feed.document = ics("dana@acme.io", start=utcnow() + timedelta(days=2))
    return dana.id


def found(page: CalendarPage) -> str:
    """What the last read found, after its moment ("Read today 14:02: …")."""
    when, _, what = page.last_read.text().partition(": ")
    assert when.startswith("Read today ")
    return what


def type_address(qtbot: QtBot, page: CalendarPage, text: str) -> None:
    page.url.clear()
    qtbot.keyClicks(page.url, text)


def test_saving_an_address_keeps_it_in_the_keyring_and_reads_the_calendar_at_once(
    qtbot: QtBot, keyring_home: Path, ics_feed: IcsServer, open_page: OpenPage, db: Database
) -> None:
    a_meeting_booked(db, ics_feed)
    page = open_page()
    assert page.form.isEnabled()
    assert page.url.echoMode() == QLineEdit.EchoMode.Password  # the address is the secret
    type_address(qtbot, page, ics_feed.url)
    with qtbot.waitSignals([page.saved, page.read], timeout=WAIT):
        qtbot.mouseClick(page.save, LEFT)
    assert read_password(KEYRING_ENTRY) == ics_feed.url
    assert calendar_state(db) is not None
    assert page.url.text() == ""  # not left on screen once kept
    assert page.saved_note.text() == "Saved in the keyring: http://127.0.0.1/…"
    assert found(page) == "1 meeting with a lead; logged 1 meeting change."
    assert page.result.text() == ""
    assert len(ics_feed.fetches) == 1

    # Check now reads again: the calendar has not changed.
    with qtbot.waitSignal(page.read, timeout=WAIT):
        qtbot.mouseClick(page.check, LEFT)
    assert found(page) == "unchanged since the last read."
    assert page.form.isEnabled()
    stored = db.path.read_bytes() + b"".join(p.read_bytes() for p in db.path.parent.glob("*-wal"))
    assert b"private-abc123" not in stored


def test_a_refused_address_is_explained_next_to_the_field_and_kept_as_typed(
    qtbot: QtBot, keyring_home: Path, open_page: OpenPage, db: Database
) -> None:
    page = open_page()
    type_address(qtbot, page, "http://calendar.example.com/private/basic.ics")
    qtbot.mouseClick(page.save, LEFT)
    assert page.problem_text("url").startswith("The address must use https://")
    assert page.url.text() == "http://calendar.example.com/private/basic.ics"
    assert calendar_state(db) is None
    with pytest.raises(NotFound):
        read_password(KEYRING_ENTRY)
    # Show lets the person see what they typed; Hide hides it again.
    qtbot.mouseClick(page.show_url, LEFT)
    assert page.url.echoMode() == QLineEdit.EchoMode.Normal
    assert page.show_url.isChecked()
    qtbot.mouseClick(page.show_url, LEFT)
    assert page.url.echoMode() == QLineEdit.EchoMode.Password


def test_an_unreadable_calendar_is_said_on_the_page(
    qtbot: QtBot, keyring_home: Path, ics_feed: IcsServer, open_page: OpenPage, db: Database
) -> None:
    set_calendar_url(db, ics_feed.url)
    ics_feed.status = 404
    page = open_page()
    assert page.saved_note.text() == "Saved in the keyring: http://127.0.0.1/…"
    with qtbot.waitSignal(page.read, timeout=WAIT) as read:
        qtbot.mouseClick(page.check, LEFT)
    assert read.args == [
        "Calendar is not being read: the calendar server said 404 Not Found. Trying again later."
    ]
    assert page.result.text() == read.args[0]
    assert page.form.isEnabled()


def test_the_apps_watcher_is_the_one_asked_to_read(
    qtbot: QtBot, keyring_home: Path, ics_feed: IcsServer, open_page: OpenPage, db: Database,
    ops: Operations,
) -> None:  # fmt: skip
    set_calendar_url(db, ics_feed.url)
    a_meeting_booked(db, ics_feed)
    watcher = CalendarWatcher(ops)
    try:
        page = open_page(watcher)
        with qtbot.waitSignal(watcher.checked, timeout=WAIT):
            qtbot.mouseClick(page.check, LEFT)
        assert found(page).startswith("1 meeting with a lead")
        assert watcher.next_delay_minutes == 15  # the app's timer goes on from this read
    finally:
        watcher.stop()


def test_forget_removes_the_address_and_the_setting(
    qtbot: QtBot, keyring_home: Path, ics_feed: IcsServer, open_page: OpenPage, db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    set_calendar_url(db, ics_feed.url)
    page = open_page()
    used_on = record_session_threads(monkeypatch)
    with qtbot.waitSignal(page.forgotten, timeout=10000):
        qtbot.mouseClick(page.forget, LEFT)
    seen_on = set(used_on)
    assert calendar_state(db) is None
    with pytest.raises(NotFound):
        read_password(KEYRING_ENTRY)
    assert page.saved_note.text() == ""
    assert seen_on == {"followthrough-db"}  # never the keyring's thread


def test_without_a_keyring_the_page_is_off_and_says_why(
    monkeypatch: pytest.MonkeyPatch, open_page: OpenPage
) -> None:
    with no_keyring(monkeypatch):
        page = open_page()
        assert not page.keyring_note.isHidden()
        assert "no keyring is available" in page.keyring_note.text()
        assert "never kept anywhere else" in page.keyring_note.text()
        assert not page.form.isEnabled()
        assert not page.save.isEnabled()


def test_the_settings_dialog_has_a_calendar_tab(
    qtbot: QtBot, keyring_home: Path, ops: Operations
) -> None:
    from followthrough.ui.settings import SettingsDialog

    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.loaded, dialog.calendar.loaded], timeout=10000):
        dialog.show()
    titles = [dialog.tabs.tabText(index) for index in range(dialog.tabs.count())]
    assert "Ca&lendar" in titles
    dialog.tabs.setCurrentWidget(dialog.calendar)
    assert dialog.calendar.form.isEnabled()
    # Each Alt key on the tab does one thing: none is shared with a tab or the dialog's buttons.
    texts = titles + [b.text() for b in dialog.buttons.buttons()]
    texts += [w.text() for w in dialog.calendar.findChildren(QAbstractButton)]
    texts += [w.text() for w in dialog.calendar.findChildren(QLabel) if w.buddy() is not None]
    keys = [text.split("&", 1)[1][0].lower() for text in texts if "&" in text]
    assert len(keys) == len(set(keys)), sorted(keys)
    assert len(keys) >= 16
    dialog.reject()


def fill_account(page: CalendarPage, caldav: Radicale, password: str | None = None) -> None:
    page.account.server.setText(caldav.url)
    page.account.user.setText(caldav.user)
    page.account.password.setText(caldav.password if password is None else password)


def test_a_caldav_account_is_tested_saved_with_its_password_in_the_keyring_and_read(
    qtbot: QtBot, keyring_home: Path, caldav: Radicale, ics_feed: IcsServer,
    open_page: OpenPage, db: Database,
) -> None:  # fmt: skip
    set_calendar_url(db, ics_feed.url)  # an address before: the account replaces it
    at = utcnow() - timedelta(days=10)
    leads.add_lead(db, NewLead.create(name="Dana Reyes", email="dana@acme.io", now=at), at)
    work = caldav.make_calendar("work", "Work")
    caldav.put(work, "pilot", calendar(event("pilot-1", "dana@acme.io",
                                             start=utcnow() + timedelta(days=2))))  # fmt: skip
    page = open_page()

    fill_account(page, caldav, password="not the password")
    with qtbot.waitSignal(page.tested, timeout=WAIT) as tested:
        qtbot.mouseClick(page.account.test, LEFT)
    assert tested.args == [False]
    assert page.result.text() != ""
    assert "not the password" not in page.result.text()

    fill_account(page, caldav)
    with qtbot.waitSignal(page.tested, timeout=WAIT) as tested:
        qtbot.mouseClick(page.account.test, LEFT)
    assert tested.args == [True]
    assert page.result.text() == "Connected. Calendars: Work."
    assert (calendar_state(db) or {}).get("kind") == "ics"  # not saved by a test

    with qtbot.waitSignals([page.saved, page.read], timeout=WAIT):
        qtbot.mouseClick(page.account.save, LEFT)
    state = calendar_state(db)
    assert state is not None
    assert (state["kind"], state["user"]) == ("caldav", caldav.user)
    assert read_password(PASSWORD_ENTRY) == caldav.password
    with pytest.raises(NotFound):
        read_password(KEYRING_ENTRY)  # one calendar at a time: the address went
    assert page.saved_note.text() == ""
    assert page.account.password.text() == ""
    assert found(page) == "1 meeting with a lead; logged 1 meeting change."
    stored = db.path.read_bytes() + b"".join(p.read_bytes() for p in db.path.parent.glob("*-wal"))
    assert caldav.password.encode() not in stored

    # Shown again: the account, its password left in the keyring, the calendars found.
    again = open_page()
    assert again.account.server.text() == caldav.url
    assert again.account.password.placeholderText() == "saved in the keyring"
    assert (
        again.account.saved_note.text() == "Saved; the password is in the keyring. Calendars: Work."
    )
    # Tested again without typing the password: the one in the keyring is used.
    with qtbot.waitSignal(again.tested, timeout=WAIT) as tested:
        qtbot.mouseClick(again.account.test, LEFT)
    assert tested.args == [True]


def test_a_refused_account_field_is_explained_next_to_it(
    qtbot: QtBot, keyring_home: Path, open_page: OpenPage, db: Database
) -> None:
    page = open_page()
    page.account.server.setText("http://caldav.example.com")
    page.account.user.setText("me@example.com")
    qtbot.mouseClick(page.account.save, LEFT)
    assert page.problem_text("server").startswith("The server's address must use https://")
    page.account.server.setText("caldav.example.com")
    qtbot.mouseClick(page.account.save, LEFT)
    assert page.problem_text("server") == ""
    # None typed and none kept for this account (the keyring is asked on the page's thread).
    qtbot.waitUntil(lambda: page.problem_text("password") != "", timeout=WAIT)
    assert page.problem_text("password") == "Give the calendar account's password."
    assert page.account.user.text() == "me@example.com"
    assert calendar_state(db) is None
