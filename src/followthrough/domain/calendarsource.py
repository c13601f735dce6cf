"""Where the person's calendar is read from: a private iCalendar address (Google Calendar's
and Outlook's "secret address", any published .ics), checked before anything is saved.

The address is itself the secret (whoever has it reads the calendar): it is kept in the
keyring, never in the database, and only sent over TLS, unless it points at this machine.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from followthrough.errors import InvalidData

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_URL = 4000


def parse_calendar_url(text: str) -> str:
    """The address to fetch, or InvalidData saying what is wrong with it."""
    url = text.strip()
    if not url:
        raise InvalidData("give the calendar's address (it starts with https://)", "url")
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        raise InvalidData("that is not a calendar address", "url")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "webcal":  # calendar apps' name for the same address over HTTPS
        scheme, parts = "https", parts._replace(scheme="https")
    host = (parts.hostname or "").lower()
    if scheme not in ("https", "http") or not host:
        raise InvalidData("a calendar address starts with https:// (or webcal://)", "url")
    if scheme == "http" and host not in LOOPBACK:
        raise InvalidData(
            "the address must use https://: over http:// anyone on the way could read it "
            "and your calendar",
            "url",
        )
    return urlunsplit(parts)


def shown_url(url: str) -> str:
    """The address without its secret part, for saying which calendar: the host alone."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"
