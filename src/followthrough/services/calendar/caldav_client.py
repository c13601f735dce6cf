"""The CalDAV requests the calendar needs, over caldav_http.py:
- finding the person's calendars (RFC 4791, RFC 6764): the address given, then
  /.well-known/caldav; the current user's principal, its calendar home, and the calendars in
  it that hold events, with their names;
- what changed in a calendar since the last read: RFC 6578 sync-collection with the token
  the server gave last time (changed and deleted resources); `SyncRefused` when the server
  cannot (no support, or a token it no longer accepts);
- every resource's ETag (the fallback: a Depth 1 PROPFIND, compared by the caller);
- the changed resources themselves (calendar-multiget, in batches).
Resources are named by their path, percent-decoded, so that one resource has one name
whichever way a server spells its hrefs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urljoin, urlsplit

from followthrough.services.calendar.caldav_http import Answer, DavSession
from followthrough.services.calendar.occurrences import CalendarError

DAV, CALDAV = "DAV:", "urn:ietf:params:xml:ns:caldav"
MULTIGET_BATCH = 200
MAX_SYNC_ROUNDS = 50  # a server that truncates its answer (507) is asked again, this often


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


@dataclass(frozen=True)
class Calendar:
    href: str  # its path, decoded
    name: str  # what the person calls it ("" when the server gives no name)


@dataclass(frozen=True)
class Discovered:
    home: str  # the calendar home's URL, to list the calendars again next time
    calendars: tuple[Calendar, ...]


@dataclass(frozen=True)
class Changes:
    token: str
    changed: dict[str, str]  # href → ETag ("" when the server gave none)
    deleted: set[str] = field(default_factory=set)


class SyncRefused(Exception):
    """The server cannot say what changed (no RFC 6578, or the token is no longer valid):
    compare ETags instead."""


@dataclass(frozen=True)
class _Item:
    href: str
    status: int | None  # the response's own status, when it gives one (404: deleted)
    props: dict[str, ET.Element]  # the properties found (200 propstat), by tag


class CalDavClient:
    def __init__(self, session: DavSession) -> None:
        self.session = session

    # --- finding the calendars ----------------------------------------------------------

    def discover(self) -> Discovered:
        """The calendars holding events; CalendarError ("settings") when there are none."""
        server = self.session.server
        for start in (server, urljoin(server, "/.well-known/caldav")):
            home = self._home(start)
            if home is not None:
                return Discovered(home, self.calendars(home))
        host = urlsplit(server).hostname or server
        raise CalendarError(
            f"no calendar service found at {host}: check the server's address", "settings"
        )

    def calendars(self, home: str) -> tuple[Calendar, ...]:
        """The calendars in the home that hold events, by name."""
        props = ("resourcetype", "displayname", "C:supported-calendar-component-set")
        answer = self._propfind(home, props, "1")
        if answer is None:
            raise CalendarError("the calendar server no longer shows your calendars", "server")
        found = [_as_calendar(item) for item in _items(answer)]
        calendars = sorted((c for c in found if c is not None), key=lambda c: (c.name, c.href))
        if not calendars:
            raise CalendarError("the calendar server shows no calendar with events", "settings")
        return tuple(calendars)

    def _home(self, url: str) -> str | None:
        """The calendar home reached from `url`, or None when `url` is no CalDAV service."""
        props = ("current-user-principal", "C:calendar-home-set", "resourcetype")
        answer = self._propfind(url, props, "0")
        if answer is None:
            return None
        items = _items(answer)
        if not items:
            return None
        item = items[0]
        if _is_calendar(item):
            # The address of one calendar itself: its parent is the home.
            return urljoin(answer.url, item.href.rstrip("/").rsplit("/", 1)[0] + "/")
        home = _href_in(item, _tag(CALDAV, "calendar-home-set"))
        if home is not None:
            return urljoin(answer.url, home)
        principal = _href_in(item, _tag(DAV, "current-user-principal"))
        if principal is None:
            return None
        answer = self._propfind(urljoin(answer.url, principal), ("C:calendar-home-set",), "0")
        found = _items(answer)[0] if answer is not None and _items(answer) else None
        home = _href_in(found, _tag(CALDAV, "calendar-home-set")) if found else None
        return urljoin(answer.url, home) if answer is not None and home is not None else None

    # --- reading ------------------------------------------------------------------------

    def changes(self, calendar: str, token: str) -> Changes:
        """What changed since `token` ("" for everything there is); SyncRefused when the
        server cannot say."""
        changed: dict[str, str] = {}
        deleted: set[str] = set()
        for _round in range(MAX_SYNC_ROUNDS):
            body = _xml(
                "D:sync-collection",
                f"<D:sync-token>{_escape(token)}</D:sync-token><D:sync-level>1</D:sync-level>"
                "<D:prop><D:getetag/></D:prop>",
            )
            answer = self.session.request("REPORT", calendar, body, depth="0")
            if answer.status in (400, 403, 404, 405, 409, 412, 415, 501):
                raise SyncRefused  # 403/409 with valid-sync-token, or no RFC 6578 at all
            root = _multistatus(answer)
            new_token = root.findtext(_tag(DAV, "sync-token"))
            if not new_token:
                raise SyncRefused
            truncated = False
            for item in _parse_items(root, answer.url):
                if item.href == _path(calendar, answer.url):
                    truncated = truncated or item.status == 507
                    continue
                if item.href.endswith("/"):
                    continue  # a collection inside the calendar: not an event
                if item.status == 404:
                    deleted.add(item.href)
                    changed.pop(item.href, None)
                else:
                    changed[item.href] = _text(item.props.get(_tag(DAV, "getetag")))
                    deleted.discard(item.href)
            token = new_token.strip()
            if not truncated:
                return Changes(token, changed, deleted)
        raise CalendarError("the calendar server keeps truncating its changes", "server")

    def etags(self, calendar: str) -> dict[str, str]:
        """Every resource in the calendar, with its ETag."""
        answer = self._propfind(calendar, ("getetag", "resourcetype"), "1")
        if answer is None:
            raise CalendarError("the calendar server no longer shows a calendar", "server")
        own = _path(calendar, answer.url)
        return {
            item.href: _text(item.props.get(_tag(DAV, "getetag")))
            for item in _items(answer)
            if item.href != own and not item.href.endswith("/")
        }

    def fetch(self, calendar: str, hrefs: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """The resources (href → (ETag, iCalendar text)); one gone meanwhile is left out."""
        wanted = sorted(set(hrefs))
        found: dict[str, tuple[str, bytes]] = {}
        for first in range(0, len(wanted), MULTIGET_BATCH):
            batch = wanted[first : first + MULTIGET_BATCH]
            refs = "".join(f"<D:href>{_escape(quote(h))}</D:href>" for h in batch)
            body = _xml(
                "C:calendar-multiget",
                f"<D:prop><D:getetag/><C:calendar-data/></D:prop>{refs}",
            )
            answer = self.session.request("REPORT", calendar, body, depth="1")
            if answer.status != 207:
                raise _unexpected(answer)
            for item in _parse_items(_multistatus(answer), answer.url):
                data = item.props.get(_tag(CALDAV, "calendar-data"))
                if data is not None and item.status in (None, 200):
                    etag = _text(item.props.get(_tag(DAV, "getetag")))
                    found[item.href] = (etag, (data.text or "").encode("utf-8"))
        return found

    def _propfind(self, url: str, props: Sequence[str], depth: str) -> Answer | None:
        """The multistatus answer, or None when the address is not a WebDAV resource."""
        asked = "".join(f"<{p if ':' in p else 'D:' + p}/>" for p in props)
        answer = self.session.request(
            "PROPFIND", url, _xml("D:propfind", f"<D:prop>{asked}</D:prop>"), depth
        )
        if answer.status == 207:
            return answer
        if answer.status in (403, 404, 405, 501) or 300 <= answer.status < 400:
            return None
        raise _unexpected(answer)


def _xml(root: str, inner: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><{root} xmlns:D="{DAV}" xmlns:C="{CALDAV}">'
        f"{inner}</{root}>"
    ).encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _multistatus(answer: Answer) -> ET.Element:
    try:
        root = ET.fromstring(answer.body)  # noqa: S314  # expat: no external entities
    except ET.ParseError:
        raise CalendarError("the calendar server's answer could not be read", "server") from None
    if root.tag != _tag(DAV, "multistatus"):
        raise CalendarError("the calendar server's answer could not be read", "server")
    return root


def _items(answer: Answer) -> list[_Item]:
    return _parse_items(_multistatus(answer), answer.url)


def _parse_items(root: ET.Element, base: str) -> list[_Item]:
    items: list[_Item] = []
    for response in root.findall(_tag(DAV, "response")):
        href = response.findtext(_tag(DAV, "href"))
        if not href:
            continue
        props: dict[str, ET.Element] = {}
        for propstat in response.findall(_tag(DAV, "propstat")):
            if _status(propstat.findtext(_tag(DAV, "status"))) == 200:
                for prop in propstat.find(_tag(DAV, "prop")) or ():
                    props[prop.tag] = prop
        status = _status(response.findtext(_tag(DAV, "status")))
        items.append(_Item(_path(href.strip(), base), status, props))
    return items


def _status(line: str | None) -> int | None:
    """200 from "HTTP/1.1 200 OK"."""
    words = (line or "").split()
    return int(words[1]) if len(words) > 1 and words[1].isdigit() else None


def _path(href: str, base: str) -> str:
    return unquote(urlsplit(urljoin(base, href)).path)


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _href_in(item: _Item, prop: str) -> str | None:
    element = item.props.get(prop)
    href = element.findtext(_tag(DAV, "href")) if element is not None else None
    return href.strip() if href else None


def _is_calendar(item: _Item) -> bool:
    kinds = item.props.get(_tag(DAV, "resourcetype"))
    return kinds is not None and kinds.find(_tag(CALDAV, "calendar")) is not None


def _as_calendar(item: _Item) -> Calendar | None:
    if not _is_calendar(item):
        return None
    components = item.props.get(_tag(CALDAV, "supported-calendar-component-set"))
    if components is not None:
        names = {c.get("name", "").upper() for c in components.findall(_tag(CALDAV, "comp"))}
        if names and "VEVENT" not in names:
            return None  # tasks or journal only
    name = _text(item.props.get(_tag(DAV, "displayname")))
    return Calendar(item.href, " ".join(name.split()))


def _unexpected(answer: Answer) -> CalendarError:
    return CalendarError(f"the calendar server said {answer.status}", "server")
