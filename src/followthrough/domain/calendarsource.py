"""Where the person's calendar is read from, checked before anything is saved: a private
iCalendar address (Google Calendar's and Outlook's "secret address", any published .ics), or
a CalDAV account (Fastmail, iCloud, Nextcloud, Radicale…: a server address and a user name).

The private address is itself the secret (whoever has it reads the calendar): it is kept in
the keyring, never in the database. A CalDAV server's address is not secret, its password is
(kept in the keyring too). Either is only ever sent over TLS, unless it points at this machine.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from followthrough.errors import InvalidData

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_URL = 4000
MAX_USER = 320  # an e-mail address at its longest


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


def parse_caldav_server(text: str) -> str:
    """A CalDAV server's address (`https://` added to a bare host name), or InvalidData."""
    url = text.strip()
    if not url:
        raise InvalidData("give the calendar server's address (like caldav.fastmail.com)", "server")
    if "://" not in url:
        url = f"https://{url}"
    if len(url) > MAX_URL or any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidData("that is not a calendar server's address", "server")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  # a port that is not a number raises here, once
    except ValueError:
        raise InvalidData("that is not a calendar server's address", "server") from None
    if scheme not in ("https", "http") or not host:
        raise InvalidData("a calendar server's address starts with https://", "server")
    if parts.username is not None or parts.password is not None:
        # A password in the address would end up in the settings: it goes to the keyring.
        raise InvalidData("give the user name apart, not in the server's address", "server")
    if scheme == "http" and host not in LOOPBACK:
        raise InvalidData(
            "the server's address must use https://: over http:// anyone on the way could "
            "read your password and your calendar",
            "server",
        )
    path = parts.path or "/"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def parse_caldav_user(text: str) -> str:
    """The user name to log in with, or InvalidData."""
    user = text.strip()
    if not user:
        raise InvalidData("give the user name you log in to the calendar with", "user")
    if len(user) > MAX_USER or ":" in user or not user.isprintable():
        # Basic authentication cannot carry a colon in the user name (RFC 7617).
        raise InvalidData("that is not a user name the calendar server can take", "user")
    return user


def loopback(url: str) -> bool:
    """Whether the address points at this machine (where plain http:// is allowed)."""
    return (urlsplit(url).hostname or "").lower() in LOOPBACK
