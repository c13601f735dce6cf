"""One read of a CalDAV account, no more than what changed: which resources to fetch, which
events they speak for, and what to keep for next time.

Per calendar the settings keep the server's sync token and, per event resource (href), its
event's UID and ETag. A pass asks what changed since the token (sync-collection), or, when
the server cannot say, compares every resource's ETag with the kept ones; it fetches only
the changed resources. A read then *covers* the UIDs of what it fetched and of what was
deleted: only kept meetings of those events can be taken as gone (meetings.apply_read).

A full read (everything fetched, covering every event) is done on the first pass and once a
day: the read looks 90 days ahead, and an unchanged recurring event's next instances enter
that window without the resource changing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from followthrough.domain.meetings import Occurrence
from followthrough.services.calendar.caldav_client import CalDavClient, Calendar, SyncRefused
from followthrough.services.calendar.occurrences import CalendarError, read_occurrences

log = logging.getLogger(__name__)

_FOLD = re.compile(rb"\r?\n[ \t]")
_UID = re.compile(rb"^UID[;:](.*?)\r?$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Resource:
    href: str
    uids: frozenset[str]
    data: bytes


@dataclass(frozen=True)
class AccountRead:
    home: str
    calendars: dict[str, Any]  # to keep: href → {"name", "token", "resources"}
    fetched: tuple[Resource, ...]
    covered: frozenset[str] | None  # the events this read speaks for; None: every event

    @property
    def changed(self) -> bool:
        return bool(self.fetched) or self.covered is None or bool(self.covered)


def read_account(
    client: CalDavClient, kept: dict[str, Any], full: bool, use_sync: bool = True
) -> AccountRead:
    """What changed in the account's calendars since the state `kept` (all of it when
    `full`). `use_sync=False` compares ETags even where the server offers sync tokens."""
    home, calendars = _calendars(client, kept.get("home"))
    before: dict[str, Any] = kept.get("calendars") or {}
    fetched: list[Resource] = []
    covered: set[str] = set()
    now_kept: dict[str, Any] = {}
    for calendar in calendars:
        was = None if full else before.get(calendar.href)
        resources, token = _read_calendar(client, calendar, was, use_sync, fetched, covered)
        now_kept[calendar.href] = {"name": calendar.name, "token": token, "resources": resources}
    for href, was in before.items():
        if href not in now_kept:  # a calendar removed: its events are gone with it
            covered.update(r["uid"] for r in was.get("resources", {}).values())
    return AccountRead(home, now_kept, tuple(fetched), None if full else frozenset(covered))


def _calendars(client: CalDavClient, home: str | None) -> tuple[str, tuple[Calendar, ...]]:
    """The calendars, from the home kept (one request), or found again from the server."""
    if home:
        try:
            return home, client.calendars(home)
        except CalendarError as failed:
            if failed.kind in ("auth", "connection", "tls"):
                raise
    found = client.discover()
    return found.home, found.calendars


def _read_calendar(
    client: CalDavClient,
    calendar: Calendar,
    was: dict[str, Any] | None,
    use_sync: bool,
    fetched: list[Resource],
    covered: set[str],
) -> tuple[dict[str, dict[str, str]], str]:
    """Fetch what changed in one calendar (into `fetched`, its events into `covered`);
    the resources and token to keep."""
    resources: dict[str, dict[str, str]] = dict(was["resources"]) if was else {}
    token = ""
    try:
        if not use_sync or (was is not None and not was.get("token")):
            raise SyncRefused  # this server said before that it cannot
        changes = client.changes(calendar.href, was["token"] if was else "")
        changed, deleted, token = changes.changed, changes.deleted, changes.token
    except SyncRefused:
        etags = client.etags(calendar.href)
        changed = {h: e for h, e in etags.items() if not e or resources.get(h, {}).get("etag") != e}
        deleted = set(resources) - set(etags)
    got = client.fetch(calendar.href, changed) if changed else {}
    for href in deleted | (set(changed) - set(got)):
        gone = resources.pop(href, None)
        if gone is not None:
            covered.add(gone["uid"])
    for href, (etag, data) in sorted(got.items()):
        if href in resources:
            covered.add(resources[href]["uid"])  # its UID may have changed
        uids = uids_of(data)
        covered.update(uids)
        resources[href] = {"uid": min(uids) if uids else "", "etag": etag or changed[href]}
        fetched.append(Resource(href, uids, data))
    return resources, token


def uids_of(data: bytes) -> frozenset[str]:
    """The UIDs in a resource (one event's, by CalDAV's rule; more tolerated)."""
    unfolded = _FOLD.sub(b"", data)
    return frozenset(
        m.group(1).strip().decode("utf-8", "replace") for m in _UID.finditer(unfolded)
    ) - {""}


def occurrences_read(
    read: AccountRead,
    read_from: datetime,
    read_until: datetime,
    zone: tzinfo,
    inviting: Collection[str] | None = None,
) -> tuple[list[Occurrence], frozenset[str] | None]:
    """The occurrences of the resources fetched (of events inviting one of `inviting` only,
    when given: occurrences.read_occurrences), and the events the read covers.

    A resource that cannot be read is left out and its events are not covered: their
    meetings stay as they were rather than being taken as cancelled by one broken event.
    """
    found: list[Occurrence] = []
    broken: set[str] = set()
    for resource in read.fetched:
        try:
            found += read_occurrences(resource.data, read_from, read_until, zone, inviting)
        except CalendarError:
            # Its href only: what the parser said may quote the event, which is not kept.
            log.warning("a calendar resource could not be read, left out: %s", resource.href)
            broken |= resource.uids
    found.sort(key=lambda o: (o.start, o.key))
    covered = read.covered
    if broken:
        if covered is None:
            kept = read.calendars.values()
            covered = frozenset(r["uid"] for c in kept for r in c["resources"].values())
        covered = covered - broken
    return found, covered
