"""Requests to a CalDAV server: Basic authentication over TLS (plain HTTP only on this
machine), connections kept open across a pass, redirects followed, timeouts, and every
failure said in one line (CalendarError with its kind) that never holds the password.

Our own, on the standard library: the four requests the calendar needs (PROPFIND, REPORT
sync-collection and calendar-multiget) do not justify the `caldav` package's dependencies
(its HTTP stack shadows urllib3 and adds some 20 MB to the bundle).

Where the password goes: to the server the person gave, and to hosts of the same domain the
server itself points at (iCloud keeps calendars on p01-caldav.icloud.com behind
caldav.icloud.com); anywhere else, nothing is sent and the person is told which address to
give instead.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import ssl
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from followthrough.domain.calendarsource import LOOPBACK
from followthrough.services.calendar.occurrences import CalendarError

TIMEOUT_S = 30.0
MAX_ANSWER = 50_000_000  # a year of events in one multistatus is far below this
MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "Followthrough"


@dataclass(frozen=True)
class Answer:
    status: int
    url: str  # where the answer came from, after redirects: hrefs are relative to it
    body: bytes


class DavSession:
    """One account's requests during one pass (not thread-safe: one pass, one thread)."""

    def __init__(self, server: str, user: str, password: str, timeout: float = TIMEOUT_S) -> None:
        self.server = server
        self.timeout = timeout
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self._connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}
        self._tls = ssl.create_default_context()
        self.sent: list[tuple[str, str]] = []  # (method, path): what a pass cost, for tests

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def __enter__(self) -> DavSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, url: str, body: bytes, depth: str | None = None) -> Answer:
        """The server's answer, after redirects. 401 is CalendarError("auth"); other
        statuses are the caller's to read."""
        target = urljoin(self.server, url)
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_target(target)
            status, location, answer = self._send(method, target, body, depth)
            if status in REDIRECTS and location:
                target = urljoin(target, location)
                continue
            if status == 401:
                raise CalendarError("the calendar server refused the user name or password", "auth")
            return Answer(status, target, answer)
        raise CalendarError("the calendar server redirects without end", "server")

    def _check_target(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        home = (urlsplit(self.server).hostname or "").lower()
        if parts.scheme == "http" and not (host in LOOPBACK and home in LOOPBACK):
            raise CalendarError(
                f"the calendar server sent us to {host} without TLS: not followed", "settings"
            )
        if parts.scheme not in ("http", "https") or not _same_domain(host, home):
            raise CalendarError(
                f"the calendar server sent us to {host or 'another address'}: "
                "set that address as the server if it is yours",
                "settings",
            )

    def _send(
        self, method: str, url: str, body: bytes, depth: str | None
    ) -> tuple[int, str | None, bytes]:
        parts = urlsplit(url)
        # Paths are kept decoded (caldav_client.py): spelled for the wire here.
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
        if parts.query:
            path += f"?{parts.query}"
        headers = {
            "Authorization": self._auth,
            "User-Agent": USER_AGENT,
            "Content-Type": "application/xml; charset=utf-8",
        }
        if depth is not None:
            headers["Depth"] = depth
        self.sent.append((method, parts.path))
        for attempt in (1, 2):
            connection = self._connection(parts.scheme, parts.hostname or "", parts.port)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read(MAX_ANSWER + 1)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop(parts.scheme, parts.hostname or "", parts.port)
                if attempt == 2:
                    raise CalendarError(
                        "the calendar server closed the connection", "connection"
                    ) from None
                continue  # a kept connection the server had closed meanwhile: once more
            except ssl.SSLCertVerificationError as exc:
                self._drop(parts.scheme, parts.hostname or "", parts.port)
                raise CalendarError(
                    f"the calendar server's certificate was refused: {exc.verify_message}", "tls"
                ) from None
            except ssl.SSLError as exc:
                self._drop(parts.scheme, parts.hostname or "", parts.port)
                raise CalendarError(
                    f"no secure connection to the calendar server: {exc.reason}", "tls"
                ) from None
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                self._drop(parts.scheme, parts.hostname or "", parts.port)
                raise CalendarError(
                    f"the calendar server could not be reached: {_why(exc)}", "connection"
                ) from None
            if len(answer) > MAX_ANSWER:
                self._drop(parts.scheme, parts.hostname or "", parts.port)
                raise CalendarError("the calendar server's answer is too large", "server")
            if response.will_close:
                self._drop(parts.scheme, parts.hostname or "", parts.port)
            return response.status, response.getheader("Location"), answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        key = (scheme, host, port or (443 if scheme == "https" else 80))
        connection = self._connections.get(key)
        if connection is None:
            if scheme == "https":
                connection = http.client.HTTPSConnection(
                    host, key[2], timeout=self.timeout, context=self._tls
                )
            else:
                connection = http.client.HTTPConnection(host, key[2], timeout=self.timeout)
            self._connections[key] = connection
        return connection

    def _drop(self, scheme: str, host: str, port: int | None) -> None:
        key = (scheme, host, port or (443 if scheme == "https" else 80))
        connection = self._connections.pop(key, None)
        if connection is not None:
            connection.close()


def _same_domain(host: str, home: str) -> bool:
    """The server's own host, or one of its domain's: caldav.icloud.com may send us to
    p01-caldav.icloud.com, not to another company's host."""
    if host == home:
        return True
    if _is_address(host) or _is_address(home):
        return False  # an IP address has no domain
    labels = home.split(".")
    domain = home if len(labels) <= 2 else ".".join(labels[1:])
    return host.endswith(f".{domain}")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    words = str(exc).strip().splitlines()
    return words[0] if words else type(exc).__name__
