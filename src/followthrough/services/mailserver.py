"""Talking to the mail server: logging in, finding its folders, reading message headers.

Every failure comes out as a `MailError` saying which part failed (reaching the server, the
secure connection, the password, a folder), worded for the person who set the account up.
Nothing here touches the database: services/mailwatch.py decides what to read and logs it.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from followthrough.domain.bodystructure import CalendarPart, calendar_parts
from followthrough.domain.mailaccount import MailAccount, Security
from followthrough.domain.mailheaders import (
    HEADER_FIELDS,
    MailHeaders,
    parse_internaldate,
    read_headers,
)
from followthrough.errors import FollowthroughError
from followthrough.services.clock import utcnow

_FETCH_ITEMS = f"(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS ({' '.join(HEADER_FIELDS)})])"
_UID = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_LIST_LINE = re.compile(rb'\((?P<flags>[^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (?P<name>.+)$')

Fetched = tuple[int, MailHeaders]  # (uid, the message's headers)


_MESSAGES = {
    "connect": "cannot reach the mail server {host} on port {port}",
    "tls": "the secure connection to {host} failed (its certificate is not trusted, or it "
    "does not speak {security} on port {port})",
    "auth": "the mail server refused the user name or password for {user}",
    "server": "the mail server {host} stopped answering as expected; try again later",
}


class MailError(FollowthroughError):
    """The mailbox cannot be used as set up; `kind` says which part failed."""

    exit_code = 5

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    @classmethod
    def of(cls, kind: str, account: MailAccount) -> MailError:
        security = "implicit TLS" if account.security is Security.TLS else "STARTTLS"
        text = _MESSAGES[kind].format(
            host=account.host, port=account.port, user=account.user, security=security
        )
        return cls(text, kind)

    @classmethod
    def missing_folder(cls, folder: str) -> MailError:
        return cls(f"the mail server has no folder named '{folder}'", "folder")


def open_imap(account: MailAccount, password: str, *, timeout: float = 20.0) -> imaplib.IMAP4:
    """A logged-in connection, certificates verified; MailError says what went wrong."""
    try:
        context = ssl.create_default_context(cafile=account.ca_file)
    except (OSError, ssl.SSLError):
        raise MailError(
            f"the certificate file {account.ca_file} cannot be read as PEM", "tls"
        ) from None
    imap: imaplib.IMAP4 | None = None
    try:
        if account.security is Security.TLS:
            imap = imaplib.IMAP4_SSL(
                account.host, account.port, ssl_context=context, timeout=timeout
            )
        else:
            imap = imaplib.IMAP4(account.host, account.port, timeout=timeout)
            imap.starttls(ssl_context=context)
    except (ssl.SSLError, ssl.CertificateError):
        _close(imap)
        raise MailError.of("tls", account) from None
    except imaplib.IMAP4.error:
        # No STARTTLS offered, or a greeting that is not IMAP: not the secure server set up.
        _close(imap)
        raise MailError.of("tls", account) from None
    except (OSError, EOFError):
        _close(imap)
        raise MailError.of("connect", account) from None
    try:
        if password.isascii():
            imap.login(account.user, password)
        else:  # LOGIN is ASCII only; AUTHENTICATE PLAIN carries UTF-8
            secret = f"\0{account.user}\0{password}".encode()
            imap.authenticate("PLAIN", lambda _challenge: secret)
    except imaplib.IMAP4.abort:
        _close(imap)
        raise MailError.of("server", account) from None
    except imaplib.IMAP4.error:
        _close(imap)
        raise MailError.of("auth", account) from None
    except (OSError, EOFError):
        _close(imap)
        raise MailError.of("connect", account) from None
    return imap


def _close(imap: imaplib.IMAP4 | None) -> None:
    if imap is None:
        return
    with suppress(imaplib.IMAP4.error, OSError, EOFError, AttributeError):
        if imap.state in ("AUTH", "SELECTED"):
            imap.logout()
        else:
            imap.shutdown()


@contextmanager
def connected(account: MailAccount, password: str) -> Iterator[imaplib.IMAP4]:
    imap = open_imap(account, password)
    try:
        yield imap
    except imaplib.IMAP4.abort:
        raise MailError.of("connect", account) from None
    except imaplib.IMAP4.error:
        raise MailError.of("server", account) from None
    except (OSError, EOFError):
        raise MailError.of("connect", account) from None
    finally:
        _close(imap)


def _folders(imap: imaplib.IMAP4) -> dict[str, set[str]]:
    """The server's folders and their flags (special-use \\Sent among them)."""
    status, lines = imap.list()
    if status != "OK":
        raise imaplib.IMAP4.error("LIST failed")
    found: dict[str, set[str]] = {}
    for line in lines:
        if isinstance(line, tuple):  # a literal name: {n} then the bytes
            head, name_bytes = line[0], line[1]
            match = _LIST_LINE.match(head)
            name = name_bytes.decode("utf-8", "replace")
        else:
            match = _LIST_LINE.match(line or b"")
            name = match.group("name").decode("utf-8", "replace").strip('"') if match else ""
        if match and name:
            flags = {flag.lower() for flag in match.group("flags").decode().split()}
            found[name] = flags
    return found


def _detected(folders: dict[str, set[str]]) -> dict[str, str]:
    inbox = next((name for name in folders if name.upper() == "INBOX"), "INBOX")
    sent = next((name for name, flags in folders.items() if "\\sent" in flags), "")
    return {"inbox": inbox, "sent": sent}


def detect_folders(account: MailAccount, password: str) -> dict[str, str]:
    """The inbox and the folder the server marks as Sent ("" when it marks none)."""
    with connected(account, password) as imap:
        return _detected(_folders(imap))


def test_connection(account: MailAccount, password: str) -> dict[str, str]:
    """Log in and check both folders are there; return the folders the server suggests."""
    with connected(account, password) as imap:
        folders = _folders(imap)
        for folder in (account.inbox, account.sent):
            if not _has_folder(folders, folder):
                raise MailError.missing_folder(folder)
        return _detected(folders)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _has_folder(folders: dict[str, set[str]], folder: str) -> bool:
    if folder.upper() == "INBOX":
        return any(name.upper() == "INBOX" for name in folders)
    return folder in folders and "\\noselect" not in folders[folder]


def open_folder(imap: imaplib.IMAP4, folder: str) -> tuple[int, int | None]:
    """Select a folder read-only: its UIDVALIDITY (0 if unsaid) and UIDNEXT (None if unsaid)."""
    status, _ = imap.select(_quoted(folder), readonly=True)
    if status != "OK":
        raise MailError.missing_folder(folder)
    return _number(imap, "UIDVALIDITY") or 0, _number(imap, "UIDNEXT")


def uids_after(imap: imaplib.IMAP4, last: int) -> list[int]:
    """The UIDs above `last` in the selected folder, in order."""
    status, data = imap.uid("SEARCH", f"UID {last + 1}:*")
    if status != "OK":
        raise imaplib.IMAP4.error("SEARCH failed")
    # "UID n:*" always matches the highest UID, even one below n: hence the filter.
    return sorted(u for u in (int(x) for x in b" ".join(data).split()) if u > last)


def fetch_headers(imap: imaplib.IMAP4, first: int, last: int, after: int) -> list[Fetched]:
    """The headers of the messages with UIDs first..last, leaving out those up to `after`."""
    status, data = imap.uid("FETCH", f"{first}:{last}", _FETCH_ITEMS)
    if status != "OK":
        raise imaplib.IMAP4.error("FETCH failed")
    return _parse_fetch(data, after)


def fetch_calendar_parts(imap: imaplib.IMAP4, uids: list[int]) -> dict[int, CalendarPart]:
    """Where each message's text/calendar part is (BODYSTRUCTURE: the parts described, none
    sent); messages without one are left out."""
    if not uids:
        return {}
    status, data = imap.uid("FETCH", ",".join(map(str, uids)), "(UID BODYSTRUCTURE)")
    if status != "OK":
        raise imaplib.IMAP4.error("FETCH failed")
    return calendar_parts(data)


def fetch_sections(
    imap: imaplib.IMAP4, parts: dict[int, CalendarPart], limit: int
) -> dict[int, bytes]:
    """The raw bytes of one body section per message, at most `limit` of each: the only
    part of a body the app ever reads (an invitation's answer, see mailinvites.py)."""
    by_section: dict[str, list[int]] = {}
    for uid, part in parts.items():
        by_section.setdefault(part.section, []).append(uid)
    found: dict[int, bytes] = {}
    for section, uids in sorted(by_section.items()):
        item = f"BODY.PEEK[{section}]<0.{limit}>"
        status, data = imap.uid("FETCH", ",".join(map(str, sorted(uids))), f"(UID {item})")
        if status != "OK":
            raise imaplib.IMAP4.error("FETCH failed")
        for piece in data:
            if isinstance(piece, tuple) and (said := _UID.search(piece[0])) is not None:
                found[int(said.group(1))] = piece[1][:limit]
    return found


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(imap: imaplib.IMAP4, name: str) -> int | None:
    _, data = imap.response(name)
    try:
        return int(data[-1]) if data and data[-1] is not None else None
    except (TypeError, ValueError):
        return None


def _parse_fetch(data: list[Any], after: int) -> list[Fetched]:
    fetched: list[Fetched] = []
    for part in data:
        if not isinstance(part, tuple):
            continue
        head, raw = part[0], part[1]
        uid = _UID.search(head)
        if uid is None or int(uid.group(1)) <= after:
            continue
        when = _INTERNALDATE.search(head)
        arrived = parse_internaldate(when.group(1).decode()) if when else None
        fetched.append((int(uid.group(1)), read_headers(raw, arrived or utcnow())))
    return fetched
