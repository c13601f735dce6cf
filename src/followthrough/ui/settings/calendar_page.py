"""The "Calendar" tab: where meetings are read from, kept in the keyring only, and how the last
read went.

Its buttons act at once, like the Mail tab's: Save, Check now and Forget do not wait for the
dialog's OK. The keyring is talked to on a thread of the page's own (`Background`), never on
the database worker (a locked keyring's prompt would hold every database operation back) nor
on the GUI thread. Reading the calendar is the watcher's (ui/calendarwatcher.py): Check now
asks it for a pass, so two reads never overlap, and the page shows what each pass found.

Two ways to give a calendar, one at a time: its private address (.ics), or a CalDAV account
(calendar_account.py). Saving one forgets the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.calendarsource import parse_calendar_url, shown_url
from followthrough.errors import FollowthroughError, InvalidData, NotFound
from followthrough.services import secrets
from followthrough.services.calendar.account import (
    CALDAV,
    ICS,
    KEYRING_ENTRY,
    PASSWORD_ENTRY,
    calendar_state,
    forget_calendar,
    keyring_for_the_calendar,
    set_calendar_url,
)
from followthrough.services.clock import utcnow
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.calendarwatcher import CalendarReport, CalendarWatcher, found_words
from followthrough.ui.ops import Background, Operations
from followthrough.ui.settings.calendar_account import (
    AccountBox,
    TypedAccount,
    save_typed,
    test_typed,
)
from followthrough.ui.settings.fields import SettingsPage, hint_label, sentence, warning_colour
from followthrough.ui.settings.layout import tidy_form, widget_row
from followthrough.ui.timefmt import due_words

WHERE_TO_FIND = (
    "Google Calendar: Settings › your calendar › “Secret address in iCal format”. "
    "Outlook: Settings › Calendar › Shared calendars › Publish a calendar › ICS."
)


@dataclass(frozen=True)
class Stored:
    """What the page shows of the calendar set up, read off the GUI thread."""

    problem: str | None  # why nothing can be kept in the keyring; None when it works
    state: dict[str, Any] | None  # the settings row (calendar_state); None: no calendar
    where: str = ""  # the address's host ("https://calendar.google.com/…"), "" when none
    password_kept: bool = False  # an account's password is in the keyring


def _stored(on_database: DatabaseTurn) -> Stored:
    state = on_database(calendar_state)
    problem = secrets.keyring_problem()
    kind = state.get("kind") if state else None
    if problem is not None or kind is None:
        return Stored(problem, state)
    try:
        if kind == CALDAV:
            secrets.read_password(PASSWORD_ENTRY)
            return Stored(None, state, password_kept=True)
        return Stored(None, state, shown_url(secrets.read_password(KEYRING_ENTRY)))
    except NotFound:
        return Stored(None, state)
    except secrets.KeyringUnavailable as exc:
        return Stored(exc.reason, state)


def _save_url(on_database: DatabaseTurn, url: str) -> Stored:
    # Kept here first, on this thread, so that a keyring waiting to be unlocked asks for it
    # while the database worker goes on; the service then keeps it again (at once, unlocked)
    # and notes in the settings that a calendar is set.
    with keyring_for_the_calendar():
        secrets.store_password(KEYRING_ENTRY, url)
    on_database(lambda db: set_calendar_url(db, url))
    return Stored(None, {"kind": ICS}, shown_url(url))


def _forget(on_database: DatabaseTurn) -> bool:
    with keyring_for_the_calendar():  # here first, as above
        secrets.forget_password(KEYRING_ENTRY)
        secrets.forget_password(PASSWORD_ENTRY)
    return bool(on_database(forget_calendar))


class CalendarPage(SettingsPage):
    loaded = Signal()  # what is stored and the keyring's state are on screen
    saved = Signal()  # an address or an account is kept; the watcher reads it at once
    forgotten = Signal()  # no calendar any more
    read = Signal(str)  # what the last pass found, or why it failed, as shown
    tested = Signal(bool)  # the account test's outcome is shown

    def __init__(
        self, ops: Operations, watcher: CalendarWatcher | None = None, parent: QWidget | None = None
    ) -> None:
        """`watcher`: the app's, which the page asks to read; without one (a dialog opened
        on its own, as in the tests) the page keeps one that only reads on Check now."""
        super().__init__(parent)
        self.ops = ops
        self.watcher = watcher or CalendarWatcher(ops, self)
        self._own_watcher = watcher is None
        self.stored = Stored(None, None)
        self._thread = Background("calendar-settings", self)
        self._build()
        self._reading = False  # Check now was pressed and its pass has not finished
        self.watcher.checked.connect(self._checked)
        self.watcher.finished.connect(self._finished)
        self._set_busy(True)  # until what is stored is shown
        on_database = ops.call
        self._thread.run(lambda: _stored(on_database), self._show, self._load_refused)

    # --- the form -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.keyring_note = QLabel(self)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet(f"color: {warning_colour(self.palette())}")
        self.keyring_note.setAccessibleName("Keyring problem")
        self.keyring_note.hide()
        self.form = QWidget(self)
        intro = hint_label(
            "Meetings with your leads are logged from your calendar, and once one has ended "
            "you are asked whether it happened.",
            self.form,
        )
        # Alt keys: d w u k g here, v e p i h in the account box; none of the tabs' nor the
        # dialog's buttons' (a test checks).
        self.address_box = QGroupBox("Private address (iCalendar)", self.form)
        self.url = QLineEdit(self.address_box, placeholderText="https://…/basic.ics")
        self.url.setEchoMode(QLineEdit.EchoMode.Password)  # the address is the secret
        self.url.setAccessibleName("Calendar address")
        self.show_url = QPushButton("Sho&w", self.address_box)
        self.show_url.setCheckable(True)
        self.show_url.setAccessibleName("Show the address")
        self.show_url.toggled.connect(self._reveal)
        address = tidy_form(QFormLayout(self.address_box))
        label = QLabel("A&ddress", self.address_box)
        label.setBuddy(self.url)
        address.addRow(label, widget_row(self.address_box, self.url, self.show_url))
        address.addRow("", self.problem_slot("url"))
        self.saved_note = hint_label("", self.address_box)
        self.saved_note.setAccessibleName("Address state")
        address.addRow("", self.saved_note)
        address.addRow(hint_label(WHERE_TO_FIND, self.address_box))
        self.save = QPushButton("&Use this address", self.address_box)
        address.addRow("", widget_row(self.address_box, self.save, stretch=True))
        self.account = AccountBox(self.problem_slot, self.form)
        self.account.test.clicked.connect(self.test_account)
        self.account.save.clicked.connect(self.save_account)

        self.check = QPushButton("Chec&k now", self.form)
        self.forget = QPushButton("For&get calendar", self.form)
        for button, name in ((self.save, "Save the address"), (self.check, "Read it now"),
                             (self.forget, "Forget the calendar")):  # fmt: skip
            button.setAccessibleName(name)
        self.save.clicked.connect(self.save_url)
        self.check.clicked.connect(self.check_now)
        self.forget.clicked.connect(self.forget_calendar)
        self.result = QLabel(self.form)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Calendar result")
        self.result.hide()  # until there is something to say
        self.last_read = hint_label("", self.form)
        self.last_read.setAccessibleName("Last read")

        layout = QVBoxLayout(self.form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(self.address_box)
        layout.addWidget(self.account)
        layout.addWidget(hint_label("The address and the password are kept in your system's "
                                    "keyring only.", self.form))  # fmt: skip
        layout.addWidget(widget_row(self.form, self.check, self.forget, stretch=True))
        layout.addWidget(self.result)
        layout.addWidget(self.last_read)
        layout.addStretch(1)

        page = QVBoxLayout(self)
        page.addWidget(self.keyring_note)
        page.addWidget(self.form, 1)

    def _reveal(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.url.setEchoMode(mode)  # the button stays down while the address shows

    # --- showing what is stored -----------------------------------------------------------------

    def _show(self, stored: Stored) -> None:
        self.stored = stored
        if stored.problem is not None:
            self.keyring_note.setText(
                f"Reading a calendar is off: {stored.problem.rstrip('.')}. "
                "Its address is never kept anywhere else."
            )
        self.keyring_note.setVisible(stored.problem is not None)
        saved = stored.state is not None
        self.saved_note.setText(f"Saved in the keyring: {stored.where}" if stored.where else "")
        self.saved_note.setVisible(bool(stored.where))  # no empty line under the field
        self.account.show_state(stored.state, stored.password_kept)
        self.url.setPlaceholderText(
            "saved in the keyring" if stored.where else "https://…/basic.ics"
        )
        checked_at = stored.state.get("checked_at") if stored.state else None
        if self.watcher.last_report is not None:
            self.last_read.setText(found_words(self.watcher.last_report))
        elif isinstance(checked_at, str):
            at = datetime.fromisoformat(checked_at)
            self.last_read.setText(f"Last read {due_words(at, utcnow())}.")
        else:
            self.last_read.setText("" if saved else "No calendar is read yet.")
        if self.watcher.status:  # the status bar's sentence, said here too
            self._say(self.watcher.status, ok=False)
        self._set_busy(False)
        self.loaded.emit()

    def _load_refused(self, error: FollowthroughError) -> None:
        self._set_busy(False)
        self._say(str(error), ok=False)
        self.loaded.emit()

    # --- the buttons ----------------------------------------------------------------------------

    def save_url(self) -> None:
        self.clear_problems()
        self._say("", ok=True)
        try:
            url = parse_calendar_url(self.url.text())  # refused next to the field, text kept
        except InvalidData as exc:
            self._refused(exc)
            return
        on_database = self.ops.call
        self._start("Saving…")
        self._thread.run(lambda: _save_url(on_database, url), self._saved, self._refused)

    def _saved(self, stored: Stored) -> None:
        self.url.clear()
        self.show_url.setChecked(False)
        if stored.state is not None and stored.state.get("kind") != CALDAV:
            self.account.clear()  # the account, if there was one, is forgotten
        self._show(stored)
        self._say("Saved. Your calendar is read from now on.", ok=True)
        self.saved.emit()
        self.check_now()

    def _typed_account(self) -> TypedAccount | None:
        self.clear_problems()
        self._say("", ok=True)
        try:
            return self.account.typed()
        except InvalidData as exc:
            self._refused(exc)
            return None

    def test_account(self) -> None:
        typed, state = self._typed_account(), self.stored.state
        if typed is None:
            return
        self._start("Connecting…")
        self._thread.run(lambda: test_typed(typed, state), self._tested, self._test_failed)

    def _tested(self, names: list[str]) -> None:
        self._set_busy(False)
        found = ", ".join(names) if names else "none"
        self._say(f"Connected. Calendars: {found}.", ok=True)
        self.tested.emit(True)

    def _test_failed(self, error: FollowthroughError) -> None:
        self._refused(error)
        self.tested.emit(False)

    def save_account(self) -> None:
        typed, state = self._typed_account(), self.stored.state
        if typed is None:
            return
        on_database = self.ops.call
        self._start("Saving…")
        self._thread.run(
            lambda: Stored(None, save_typed(on_database, typed, state), password_kept=True),
            self._saved,
            self._refused,
        )

    def check_now(self) -> None:
        """Ask the watcher for a pass; what it found comes back as `read`."""
        if self.stored.state is None:
            self._say("No calendar is set: save its address or an account first.", ok=False)
            return
        self._start("Reading your calendar…")
        self._reading = True
        if not self.watcher.check_now():
            self.result.setText("A read is already under way…")  # its end is shown

    def forget_calendar(self) -> None:
        self.clear_problems()
        on_database = self.ops.call
        self._start("Forgetting the calendar…")
        self._thread.run(lambda: _forget(on_database), self._forgot, self._refused)

    def _forgot(self, _had: bool) -> None:
        self.url.clear()
        self.account.clear()
        self._show(Stored(None, None))
        self.last_read.setText("No calendar is read. The meetings already logged stay.")
        self._say("The calendar and its address are forgotten.", ok=True)
        self.forgotten.emit()
        self.watcher.check_now()  # nothing to read: its problem, if any, is cleared

    # --- what the watcher found -----------------------------------------------------------------

    def _checked(self, report: object) -> None:
        # Any pass, timed or asked for: the last read is the newest one.
        assert isinstance(report, CalendarReport)
        self.last_read.setText(found_words(report))

    def _finished(self) -> None:
        if not self._reading:
            return
        self._reading = False
        self._set_busy(False)
        status = self.watcher.status
        self._say(status, ok=not status)  # "" when it worked: the last read says what it found
        self.read.emit(status or self.last_read.text())

    # --- saying how it went -----------------------------------------------------------------------

    def _start(self, doing: str) -> None:
        self._set_busy(True)
        self.result.setText(doing)
        self.result.show()
        self.result.setStyleSheet("")

    def _refused(self, error: FollowthroughError) -> None:
        self._set_busy(False)
        field = error.field if isinstance(error, InvalidData) else None
        if field is not None and self.owns(field):
            self.show_problem(field, str(error))
            self._say("", ok=True)
        else:
            self._say(str(error), ok=False)

    def _say(self, text: str, *, ok: bool) -> None:
        self.result.setText(sentence(text) if text else "")
        self.result.setVisible(bool(text))  # no empty line between the buttons and the read
        self.result.setStyleSheet("" if ok else f"color: {warning_colour(self.palette())}")

    def _set_busy(self, busy: bool) -> None:
        # Without a safe keyring no address can be kept: the form stays off.
        self.form.setEnabled(not busy and self.stored.problem is None)

    def shutdown(self) -> None:
        """Take no more work (a keyring call in flight finishes on its own thread); a
        watcher of the page's own stops, waiting for a read in flight (one transaction)."""
        self._thread.shutdown(wait=False)
        if self._own_watcher:
            self.watcher.stop()
