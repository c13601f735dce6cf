"""Which calendar the app reads, and what it remembers of it between passes.

Two kinds, one at a time: a private iCalendar address ("ics": the address is the secret, in
the keyring as "calendar-url"), or a CalDAV account ("caldav": server and user in the
settings row, the password in the keyring as "calendar-password"). Setting one forgets the
other, keyring entry and all. The settings row (`calendar`) keeps only what a pass needs to
read no more than what changed: for an address its ETag; for an account the calendars'
names, sync tokens, and each event resource's UID and ETag — never an event's content.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from followthrough.domain.calendarsource import (
    parse_caldav_server,
    parse_caldav_user,
    parse_calendar_url,
)
from followthrough.errors import InvalidData, NotFound
from followthrough.services import secrets
from followthrough.services.calendar.occurrences import CalendarError
from followthrough.services.clock import utcnow
from followthrough.services.setting_rows import put_setting
from followthrough.store.db import Database
from followthrough.store.models import Setting

SETTING_KEY = "calendar"
KEYRING_ENTRY = "calendar-url"  # the entries' names in the keyring, not secrets
PASSWORD_ENTRY = "calendar-password"  # noqa: S105  # the entry's name
FEATURE = "the calendar"
ICS, CALDAV = "ics", "caldav"


def set_calendar_url(db: Database, text: str, now: datetime | None = None) -> str:
    """Keep the address in the keyring and note that a calendar is set; the address kept."""
    url = parse_calendar_url(text)
    with keyring_for_the_calendar():
        secrets.store_password(KEYRING_ENTRY, url)
        secrets.forget_password(PASSWORD_ENTRY)
    save_state(db, {"kind": ICS}, now or utcnow())
    return url


def set_calendar_account(
    db: Database, server: str, user: str, password: str, now: datetime | None = None
) -> dict[str, Any]:
    """Read the calendars of this CalDAV account from now on; the state kept (no password).

    Nothing is asked of the server here (`watch.test_calendar` does): this runs where the
    database is. The same account again (a new password) keeps what was read so far.
    """
    server, user = parse_caldav_server(server), parse_caldav_user(user)
    if not password:
        raise InvalidData("give the calendar account's password", "password")
    before = calendar_state(db) or {}
    with keyring_for_the_calendar():
        secrets.store_password(PASSWORD_ENTRY, password)
        secrets.forget_password(KEYRING_ENTRY)
    same = before.get("kind") == CALDAV and (before.get("server"), before.get("user")) == (
        server,
        user,
    )
    state = dict(before) if same else {"kind": CALDAV, "server": server, "user": user}
    save_state(db, state, now or utcnow())
    return state


def calendar_state(db: Database) -> dict[str, Any] | None:
    with db.read() as session:
        row = session.get(Setting, SETTING_KEY)
        return dict(row.value) if row is not None and row.value else None


def calendar_names(state: dict[str, Any] | None) -> list[str]:
    """The names of the calendars an account's last pass or test found, as kept."""
    calendars = (state or {}).get("calendars") or {}
    return [str(kept.get("name") or "") or shown_href(href) for href, kept in calendars.items()]


def shown_href(href: str) -> str:
    """A calendar without a name, called by the last part of its path."""
    return href.rstrip("/").rsplit("/", 1)[-1] or href


def forget_calendar(db: Database) -> bool:
    """The address or the account's password go, and the settings (the meetings logged
    stay); whether a calendar was set."""
    had = calendar_state(db) is not None
    secrets.forget_password(KEYRING_ENTRY)
    secrets.forget_password(PASSWORD_ENTRY)
    with db.write() as session:
        row = session.get(Setting, SETTING_KEY)
        if row is not None:
            session.delete(row)
    return had


def stored_secret(entry: str) -> str:
    """The address or the password, from the keyring; CalendarError when it is not there
    (removed from the keyring by hand, or the keyring was reset)."""
    try:
        with keyring_for_the_calendar():
            return secrets.read_password(entry)
    except NotFound:
        what = "address" if entry == KEYRING_ENTRY else "password"
        raise CalendarError(
            f"the calendar's {what} is no longer in the keyring: set the calendar again",
            "settings",
        ) from None


@contextmanager
def keyring_for_the_calendar() -> Iterator[None]:
    """No safe keyring: said of the calendar, not of mail checking."""
    try:
        yield
    except secrets.KeyringUnavailable as exc:
        raise secrets.KeyringUnavailable(exc.reason, FEATURE) from None


def save_state(db: Database, state: dict[str, Any], now: datetime) -> None:
    with db.write() as session:
        put_setting(session, SETTING_KEY, state, now)
