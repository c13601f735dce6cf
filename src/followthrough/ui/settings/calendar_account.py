"""The Calendar tab's CalDAV account (Fastmail, iCloud, Nextcloud, Radicale…): server, user
name and password, with Test account and Save account; and the work those buttons start, on
the page's own thread (calendar_page.py), never the database worker's nor the GUI's.

The password goes to the keyring only. Left empty, the one already kept for the same account
is used, as on the Mail tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from followthrough.domain.calendarsource import parse_caldav_server, parse_caldav_user
from followthrough.errors import InvalidData, NotFound
from followthrough.services import secrets
from followthrough.services.calendar.account import (
    CALDAV,
    PASSWORD_ENTRY,
    calendar_names,
    keyring_for_the_calendar,
    set_calendar_account,
)
from followthrough.services.calendar.watch import test_account
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.settings.fields import hint_label
from followthrough.ui.settings.layout import tidy_form

NOTHING_TYPED = "give the calendar account's password"


@dataclass(frozen=True)
class TypedAccount:
    server: str
    user: str
    password: str  # as typed; "" to use the one kept for this same account


def _password(typed: TypedAccount, state: dict[str, Any] | None) -> str:
    """What was typed, else the password kept for this same account."""
    if typed.password:
        return typed.password
    same = state is not None and state.get("kind") == CALDAV and (
        state.get("server"), state.get("user")) == (typed.server, typed.user)  # fmt: skip
    if same:
        try:
            with keyring_for_the_calendar():
                return secrets.read_password(PASSWORD_ENTRY)
        except NotFound:
            pass
    raise InvalidData(NOTHING_TYPED, "password")


def test_typed(typed: TypedAccount, state: dict[str, Any] | None) -> list[str]:
    """Log in with what was typed; the names of the calendars found."""
    return test_account(typed.server, typed.user, _password(typed, state))


def save_typed(
    on_database: DatabaseTurn, typed: TypedAccount, state: dict[str, Any] | None
) -> dict[str, Any]:
    """Keep the account (the password in the keyring); the settings row as kept."""
    password = _password(typed, state)
    # Kept here first, on this thread, so that a keyring waiting to be unlocked asks for it
    # while the database worker goes on; the service keeps it again (at once, unlocked).
    with keyring_for_the_calendar():
        secrets.store_password(PASSWORD_ENTRY, password)
    return on_database(lambda db: set_calendar_account(db, typed.server, typed.user, password))


class AccountBox(QGroupBox):
    """The fields and buttons; the page says how each button went."""

    def __init__(self, problem_slot: Callable[[str], QLabel], parent: QWidget) -> None:
        super().__init__("CalDAV account", parent)
        self.server = QLineEdit(self, placeholderText="caldav.fastmail.com")
        self.user = QLineEdit(self, placeholderText="you@example.com")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.test = QPushButton("Test connect&ion", self)
        self.save = QPushButton("Use t&his account", self)
        self.saved_note = hint_label("", self)
        self.saved_note.hide()  # until there is an account to say something of
        for widget, name in ((self.server, "Calendar server"), (self.user, "Calendar user name"),
                             (self.password, "Calendar password"),
                             (self.test, "Test the account"), (self.save, "Save the account"),
                             (self.saved_note, "Account state")):  # fmt: skip
            widget.setAccessibleName(name)
        form = tidy_form(QFormLayout(self))
        # Keys apart from the dialog's tabs and buttons and the rest of the tab (calendar_page).
        for field, text, edit in (("server", "Ser&ver", self.server),
                                  ("user", "Us&er name", self.user),
                                  ("password", "&Password", self.password)):  # fmt: skip
            label = QLabel(text, self)
            label.setBuddy(edit)
            form.addRow(label, edit)
            form.addRow("", problem_slot(field))
        form.addRow("", self.saved_note)
        buttons = QWidget(self)  # a widget, not a bare layout: see data_page.py
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.test)
        row.addWidget(self.save)
        row.addStretch(1)
        form.addRow("", buttons)

    def typed(self) -> TypedAccount:
        """What was typed, checked by the domain; InvalidData names the field."""
        return TypedAccount(
            parse_caldav_server(self.server.text()),
            parse_caldav_user(self.user.text()),
            self.password.text(),
        )

    def show_state(self, state: dict[str, Any] | None, password_kept: bool) -> None:
        """The account kept, if the calendar is one; empty fields otherwise."""
        if state is None or state.get("kind") != CALDAV:
            self.saved_note.setText("")
            self.saved_note.hide()  # no empty line under the fields
            self.password.setPlaceholderText("")
            return
        self.server.setText(str(state.get("server") or ""))
        self.user.setText(str(state.get("user") or ""))
        self.password.clear()
        self.password.setPlaceholderText("saved in the keyring" if password_kept else "")
        self.saved_note.show()
        names = calendar_names(state)
        found = f" Calendars: {', '.join(names)}." if names else ""
        kept = "Saved; the password is in the keyring." if password_kept else "Saved."
        self.saved_note.setText(kept + found)

    def clear(self) -> None:
        for edit in (self.server, self.user, self.password):
            edit.clear()
        self.saved_note.setText("")
        self.saved_note.hide()
