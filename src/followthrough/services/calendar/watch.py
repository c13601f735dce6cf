"""The calendar checked: read, applied to the pipeline (meetings.py), and ended meetings
asked about. Two kinds of calendar (account.py keeps which one, and its settings):
- a private address: fetched only when it changed (ETag and Last-Modified), read whole;
- a CalDAV account: only the events that changed are fetched (caldav_read.py: sync tokens,
  or ETags where the server has none), and a read covers only the events it fetched or saw
  deleted; everything is read again on the first pass and once a day.
The network is never waited on while holding the database (services/turns.py).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import partial
from typing import Any

from followthrough.domain.calendarsource import parse_caldav_server, parse_caldav_user, shown_url
from followthrough.domain.meetings import Occurrence
from followthrough.services.calendar.account import (
    CALDAV,
    FEATURE,
    KEYRING_ENTRY,
    PASSWORD_ENTRY,
    SETTING_KEY,
    calendar_names,
    calendar_state,
    forget_calendar,
    save_state,
    set_calendar_account,
    set_calendar_url,
    stored_secret,
)
from followthrough.services.calendar.caldav_client import CalDavClient
from followthrough.services.calendar.caldav_http import DavSession
from followthrough.services.calendar.caldav_read import occurrences_read, read_account
from followthrough.services.calendar.meetings import MeetingLogged, apply_read, ask_ended
from followthrough.services.calendar.occurrences import MAX_BYTES, CalendarError, read_occurrences
from followthrough.services.clock import utcnow
from followthrough.services.matching import email_keys
from followthrough.services.turns import DatabaseTurn, turn_for
from followthrough.store.db import Database

__all__ = [
    "FEATURE",
    "KEYRING_ENTRY",
    "PASSWORD_ENTRY",
    "SETTING_KEY",
    "CalendarPass",
    "Fetched",
    "calendar_names",
    "calendar_state",
    "check_calendar",
    "fetch_ics",
    "forget_calendar",
    "set_calendar_account",
    "set_calendar_url",
    "test_account",
    "test_calendar",
]

LOOK_BACK = timedelta(days=7)  # ended meetings not asked about yet (the app was closed)
LOOK_AHEAD = timedelta(days=90)
FULL_READ_EVERY = timedelta(days=1)  # an account's unchanged events, read again for the window
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
NOT_SET = "no calendar is set: `followthrough calendar set-url` or `set-account`"


def test_calendar(db: Database | DatabaseTurn) -> list[str]:
    """Log in and list the calendars found (their names), without reading any event.
    CalendarError when the calendar cannot be reached, refuses the login or has none."""
    on_database = turn_for(db)
    state = on_database(calendar_state)
    if state is None:
        raise CalendarError(NOT_SET, "settings")
    if state.get("kind") != CALDAV:
        url = stored_secret(KEYRING_ENTRY)
        document = fetch_ics(url, None, None).document or b""
        if not document.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
            raise CalendarError("the address does not give a calendar", "settings")
        return [shown_url(url)]
    with _session(state) as session:
        found = CalDavClient(session).discover()
    was = state.get("calendars") or {}
    calendars = {c.href: {**was.get(c.href, {}), "name": c.name} for c in found.calendars}
    # Kept for the settings page; what a pass read stays with each calendar still there.
    new_state = {**state, "home": found.home, "calendars": calendars}
    if new_state != state:
        on_database(partial(_save_if_same_account, state=new_state, now=utcnow()))
    return calendar_names(new_state)


def test_account(server: str, user: str, password: str) -> list[str]:
    """Log in to an account not saved yet and list its calendars' names (nothing kept,
    no database): what a settings page offers before saving. InvalidData for an address
    or user name that cannot be used; CalendarError as test_calendar."""
    state = {"server": parse_caldav_server(server), "user": parse_caldav_user(user)}
    with DavSession(state["server"], state["user"], password, TIMEOUT_S) as session:
        found = CalDavClient(session).discover()
    return calendar_names({"calendars": {c.href: {"name": c.name} for c in found.calendars}})


def check_calendar(
    db: Database | DatabaseTurn,
    zone: tzinfo,
    now: datetime | None = None,
    fetch: Fetch | None = None,
    *,
    use_sync: bool = True,
) -> CalendarPass:
    """One pass: read what changed in the calendar, log what it calls for, ask about ended
    meetings. CalendarError when it cannot be read (nothing is logged then).

    `db` is the database, or what runs work on it for this pass (services/turns.py): the
    fetch itself never holds the database. `fetch` replaces how a private address is
    fetched (the benchmark's); an account is always read over CalDAV, comparing ETags
    instead of asking for changes when `use_sync` is False (as with a server without
    sync tokens).
    """
    now = now or utcnow()
    on_database = turn_for(db)
    state = on_database(calendar_state)
    if state is None:
        raise CalendarError(NOT_SET, "settings")
    read_from, read_until = now - LOOK_BACK, now + LOOK_AHEAD
    # Only events that invite a lead are parsed; the leads are looked up once something
    # was fetched, so a pass with nothing new costs the database nothing.
    people = partial(on_database, email_keys)
    if state.get("kind") == CALDAV:
        occurrences, covered, new_state = _read_account(state, read_from, read_until, zone, now,
                                                         use_sync, people)  # fmt: skip
    else:
        occurrences, new_state = _read_address(state, read_from, read_until, zone, fetch, people)
        covered = None
    logged: tuple[MeetingLogged, ...] = ()
    if occurrences is not None:
        apply = partial(apply_read, occurrences=occurrences, read_from=read_from,
                        read_until=read_until, now=now, uids=covered)  # fmt: skip
        logged = tuple(on_database(apply))
    asked = on_database(partial(ask_ended, now=now))
    new_state["checked_at"] = now.isoformat()
    on_database(partial(_save_if_same_account, state=new_state, now=now))
    return CalendarPass(logged, None if occurrences is None else len(occurrences), asked)


def _read_address(
    state: dict[str, Any], read_from: datetime, read_until: datetime, zone: tzinfo,
    fetch: Fetch | None, people: Callable[[], Collection[str]],
) -> tuple[list[Occurrence] | None, dict[str, Any]]:  # fmt: skip
    url = stored_secret(KEYRING_ENTRY)
    fetched = (fetch or fetch_ics)(url, state.get("etag"), state.get("modified"))
    occurrences = None
    if fetched.document is not None:
        occurrences = read_occurrences(fetched.document, read_from, read_until, zone, people())
    return occurrences, {**state, "etag": fetched.etag, "modified": fetched.modified}


def _read_account(
    state: dict[str, Any], read_from: datetime, read_until: datetime, zone: tzinfo,
    now: datetime, use_sync: bool, people: Callable[[], Collection[str]],
) -> tuple[list[Occurrence] | None, Collection[str] | None, dict[str, Any]]:  # fmt: skip
    last_full = state.get("full_read_at")
    full = last_full is None or now - datetime.fromisoformat(last_full) >= FULL_READ_EVERY
    with _session(state) as session:
        read = read_account(CalDavClient(session), state, full, use_sync)
    new_state = {**state, "home": read.home, "calendars": read.calendars}
    if full:
        new_state["full_read_at"] = now.isoformat()
    if not read.changed:
        return None, frozenset(), new_state
    occurrences, covered = occurrences_read(read, read_from, read_until, zone, people())
    return occurrences, covered, new_state


def _session(state: dict[str, Any]) -> DavSession:
    return DavSession(state["server"], state["user"], stored_secret(PASSWORD_ENTRY), TIMEOUT_S)


def _save_if_same_account(db: Database, state: dict[str, Any], now: datetime) -> None:
    """Keep what the pass read, unless the calendar was changed or forgotten meanwhile (the
    pass ran off the database): a forgotten calendar must not come back."""
    current = calendar_state(db)
    if current is None or any(current.get(k) != state.get(k) for k in ("kind", "server", "user")):
        return
    save_state(db, state, now)


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
