"""The calendar checked: its private address fetched (only when it changed: ETag and
Last-Modified), read, and applied to the pipeline (meetings.py); ended meetings asked about.

The address lives in the keyring (domain/calendarsource.py says why); the settings row keeps
only that a calendar is set and what the server said last time it was fetched.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import partial
from typing import Any

from followthrough.domain.calendarsource import parse_calendar_url
from followthrough.services import secrets
from followthrough.services.calendar.meetings import MeetingLogged, apply_read, ask_ended
from followthrough.services.calendar.occurrences import MAX_BYTES, CalendarError, read_occurrences
from followthrough.services.clock import utcnow
from followthrough.services.setting_rows import put_setting
from followthrough.services.turns import DatabaseTurn, turn_for
from followthrough.store.db import Database
from followthrough.store.models import Setting

SETTING_KEY = "calendar"
KEYRING_ENTRY = "calendar-url"  # the entry's name in the keyring, not a secret
FEATURE = "the calendar"
LOOK_BACK = timedelta(days=7)  # ended meetings not asked about yet (the app was closed)
LOOK_AHEAD = timedelta(days=90)
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Fetched:
    document: bytes | None  # None: not changed since the last fetch
    etag: str | None
    modified: str | None


@dataclass(frozen=True)
class CalendarPass:
    logged: tuple[MeetingLogged, ...]
    occurrences: int | None  # read this pass; None: the calendar had not changed
    asked: int  # ended meetings newly asked about


Fetch = Callable[[str, str | None, str | None], Fetched]


def set_calendar_url(db: Database, text: str, now: datetime | None = None) -> str:
    """Keep the address in the keyring and note that a calendar is set; the address kept."""
    url = parse_calendar_url(text)
    with _keyring_for_the_calendar():
        secrets.store_password(KEYRING_ENTRY, url)
    _save_state(db, {"kind": "ics"}, now or utcnow())
    return url


def calendar_state(db: Database) -> dict[str, Any] | None:
    with db.read() as session:
        row = session.get(Setting, SETTING_KEY)
        return dict(row.value) if row is not None and row.value else None


def forget_calendar(db: Database) -> bool:
    """The address and the settings go (the meetings logged stay); whether one was set."""
    had = calendar_state(db) is not None
    secrets.forget_password(KEYRING_ENTRY)
    with db.write() as session:
        row = session.get(Setting, SETTING_KEY)
        if row is not None:
            session.delete(row)
    return had


def check_calendar(
    db: Database | DatabaseTurn,
    zone: tzinfo,
    now: datetime | None = None,
    fetch: Fetch | None = None,
) -> CalendarPass:
    """One pass: fetch the calendar if it changed, log what it calls for, ask about ended
    meetings. CalendarError when it cannot be read (nothing is logged then).

    `db` is the database, or what runs work on it for this pass (services/turns.py): the
    fetch itself never holds the database.
    """
    now = now or utcnow()
    on_database = turn_for(db)
    state = on_database(calendar_state)
    if state is None:
        raise CalendarError("no calendar is set: `followthrough calendar set-url`", "settings")
    with _keyring_for_the_calendar():
        url = secrets.read_password(KEYRING_ENTRY)
    fetched = (fetch or fetch_ics)(url, state.get("etag"), state.get("modified"))
    logged: tuple[MeetingLogged, ...] = ()
    read = None
    if fetched.document is not None:
        read_from, read_until = now - LOOK_BACK, now + LOOK_AHEAD
        occurrences = read_occurrences(fetched.document, read_from, read_until, zone)
        apply = partial(apply_read, occurrences=occurrences, read_from=read_from,
                        read_until=read_until, now=now)  # fmt: skip
        logged = tuple(on_database(apply))
        read = len(occurrences)
    asked = on_database(partial(ask_ended, now=now))
    new_state = {**state, "etag": fetched.etag, "modified": fetched.modified,
                 "checked_at": now.isoformat()}  # fmt: skip
    on_database(partial(_save_state, state=new_state, now=now))
    return CalendarPass(logged, read, asked)


def fetch_ics(url: str, etag: str | None, modified: str | None) -> Fetched:
    """GET the address, conditionally; CalendarError in one line when it fails."""
    request = urllib.request.Request(url, headers={"User-Agent": "Followthrough"})  # noqa: S310 (checked: http(s) only)
    if etag:
        request.add_header("If-None-Match", etag)
    if modified:
        request.add_header("If-Modified-Since", modified)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            document = response.read(MAX_BYTES + 1)
            headers = response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(None, etag, modified)
        raise CalendarError(f"the calendar server said {exc.code} {exc.reason}", "server") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        raise CalendarError(f"the calendar could not be fetched: {why}", "connection") from None
    return Fetched(document, headers.get("ETag"), headers.get("Last-Modified"))


@contextmanager
def _keyring_for_the_calendar() -> Iterator[None]:
    """No safe keyring: said of the calendar, not of mail checking."""
    try:
        yield
    except secrets.KeyringUnavailable as exc:
        raise secrets.KeyringUnavailable(exc.reason, FEATURE) from None


def _save_state(db: Database, state: dict[str, Any], now: datetime) -> None:
    with db.write() as session:
        put_setting(session, SETTING_KEY, state, now)
