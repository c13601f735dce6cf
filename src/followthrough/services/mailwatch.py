"""Watching the mailbox: replies from leads and mail sent to them, logged without a click.

One pass reads the headers of the messages that arrived since the last pass, in the inbox
and the sent folder, and logs what concerns a lead. Network and database never overlap:
a batch of headers is fetched first, then written in one short transaction together with
the folder's new position, so a pass cut short (a crash, the server gone) has logged
exactly what it remembers having read, and the next pass goes on from there.

Where those reads and writes run is the caller's choice (`DatabaseTurn`): the CLI runs them
itself; the app hands them to its one database thread, so that the pass's own thread only
ever waits on the network (ui/mailwatcher.py).
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy import insert, select
from sqlmodel import Session

from followthrough.domain.mailaccount import MailAccount, Security
from followthrough.domain.mailheaders import (
    HEADER_FIELDS,
    MailHeaders,
    parse_internaldate,
    read_headers,
)
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.errors import FollowthroughError
from followthrough.services.clock import utcnow
from followthrough.services.leads import SignalEntry, log_signals
from followthrough.store.db import Database
from followthrough.store.models import Setting
from followthrough.store.tables import LEAD, MAIL_SEEN, SETTING

FETCH_BATCH = 500  # messages per FETCH: big enough to amortise a round trip, small to commit
STATE_KEY = "mail.watch"  # folder -> {"uidvalidity", "last_uid"}
_FETCH_ITEMS = f"(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS ({' '.join(HEADER_FIELDS)})])"
_UID = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_LIST_LINE = re.compile(rb'\((?P<flags>[^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (?P<name>.+)$')


T = TypeVar("T")


class DatabaseTurn(Protocol):
    """Runs one piece of database work where the database is used, and returns its result."""

    def __call__(self, work: Callable[[Database], T], /) -> T: ...


@dataclass(frozen=True)
class _Here:
    """The database used on the caller's own thread (the CLI, the tests)."""

    db: Database

    def __call__(self, work: Callable[[Database], T], /) -> T:
        return work(self.db)


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


@dataclass(frozen=True)
class Logged:
    lead_id: int
    lead_name: str
    kind: str  # "replied" | "sent" | "auto_reply"
    subject: str | None
    at: datetime
    folder: str


@dataclass(frozen=True)
class PassReport:
    logged: tuple[Logged, ...]
    read: int  # header blocks read this pass
    folders: dict[str, int]  # folder -> new messages seen


Progress = Callable[[str, int], None]  # (folder, messages read in it so far)


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
def _session(account: MailAccount, password: str) -> Iterator[imaplib.IMAP4]:
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
    with _session(account, password) as imap:
        return _detected(_folders(imap))


def test_connection(account: MailAccount, password: str) -> dict[str, str]:
    """Log in and check both folders are there; return the folders the server suggests."""
    with _session(account, password) as imap:
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


def forget_state(db: Database) -> None:
    """Forget where each folder was read up to; a new account is read from its start."""
    with db.write() as session:
        row = session.get(Setting, STATE_KEY)
        if row is not None:
            session.delete(row)


def check_mail(
    db: Database | DatabaseTurn,
    account: MailAccount,
    password: str,
    *,
    now: datetime | None = None,
    on_progress: Progress | None = None,
    batch: int = FETCH_BATCH,
) -> PassReport:
    """One pass over the inbox and the sent folder; MailError if the server fails us.

    `db` is the database, or what runs work on it for this pass (see `DatabaseTurn`).
    """
    now = now or utcnow()
    on_database = _Here(db) if isinstance(db, Database) else db
    logged: list[Logged] = []
    seen_counts: dict[str, int] = {}
    with _session(account, password) as imap:
        for folder, role in ((account.inbox, "inbox"), (account.sent, "sent")):
            seen_counts[folder] = 0
            for done, chunk, position in _new_messages(imap, on_database, folder, batch):
                write = partial(_log_chunk, folder=folder, role=role, chunk=chunk,
                                position=position, now=now)  # fmt: skip
                logged += on_database(write)
                seen_counts[folder] = done
                if on_progress is not None:
                    on_progress(folder, done)
    return PassReport(tuple(logged), sum(seen_counts.values()), seen_counts)


Position = tuple[int, int]  # (uidvalidity, last uid read)
Fetched = tuple[int, MailHeaders]


def _new_messages(
    imap: imaplib.IMAP4, on_database: DatabaseTurn, folder: str, batch: int
) -> Iterator[tuple[int, list[Fetched], Position]]:
    """(read so far, a batch of headers, the position after it) for messages not read yet."""
    status, _ = imap.select(_quoted(folder), readonly=True)
    if status != "OK":
        raise MailError.missing_folder(folder)
    uidvalidity = _number(imap, "UIDVALIDITY") or 0
    uidnext = _number(imap, "UIDNEXT")
    stored = on_database(_load_state).get(folder, {})
    last = int(stored.get("last_uid", 0))
    if stored.get("uidvalidity") != uidvalidity:
        # The server renumbered the folder: read it again; Message-IDs keep it from doubling.
        last = 0
    if uidnext is not None and uidnext <= last + 1:
        if stored.get("uidvalidity") != uidvalidity:
            yield 0, [], (uidvalidity, last)
        return
    status, data = imap.uid("SEARCH", f"UID {last + 1}:*")
    if status != "OK":
        raise imaplib.IMAP4.error("SEARCH failed")
    uids = sorted(u for u in (int(x) for x in b" ".join(data).split()) if u > last)
    if not uids:
        if stored.get("uidvalidity") != uidvalidity:
            yield 0, [], (uidvalidity, last)
        return
    done = 0
    for start in range(0, len(uids), batch):
        part = uids[start : start + batch]
        status, data = imap.uid("FETCH", f"{part[0]}:{part[-1]}", _FETCH_ITEMS)
        if status != "OK":
            raise imaplib.IMAP4.error("FETCH failed")
        chunk = _parse_fetch(data, last)
        done += len(chunk)
        yield done, chunk, (uidvalidity, part[-1])


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


def _load_state(db: Database) -> dict[str, dict[str, int]]:
    with db.read() as session:
        value = (
            session.connection()
            .execute(select(SETTING.c.value).where(SETTING.c.key == STATE_KEY))
            .scalar()
        )
    return dict(value or {})


def _save_position(session: Session, folder: str, position: Position, now: datetime) -> None:
    row = session.get(Setting, STATE_KEY)
    state = dict(row.value or {}) if row is not None else {}
    state[folder] = {"uidvalidity": position[0], "last_uid": position[1]}
    if row is None:
        session.add(Setting(key=STATE_KEY, value=state, updated_at=now))
    else:
        row.value, row.updated_at = state, now  # a new dict: the JSON column sees the change


def _log_chunk(
    db: Database,
    folder: str,
    role: str,
    chunk: list[Fetched],
    position: Position,
    now: datetime,
) -> list[Logged]:
    """Log a batch and remember the folder's new position, in one transaction."""
    with db.write() as session:
        conn = session.connection()
        wanted = {
            address
            for _, headers in chunk
            for address in (headers.senders if role == "inbox" else headers.recipients)
        }
        leads = _leads_by_address(conn, wanted)
        keys = list({headers.key for _, headers in chunk})
        seen = _already_seen(conn, keys)
        entries: list[SignalEntry] = []
        logged: list[Logged] = []
        new_seen: dict[str, None] = {}
        for _, headers in chunk:
            if headers.key in seen or headers.key in new_seen:
                continue
            addresses = headers.senders[:1] if role == "inbox" else headers.recipients
            matched = [leads[a] for a in addresses if a in leads]
            if not matched:
                continue
            new_seen[headers.key] = None
            at = min(headers.date, now)
            for lead_id, name in dict.fromkeys(matched):
                entry, kind = _entry(lead_id, role, headers, at, folder)
                entries.append(entry)
                logged.append(Logged(lead_id, name, kind, headers.subject, at, folder))
        log_signals(session, entries, now)
        if new_seen:
            conn.execute(
                insert(MAIL_SEEN), [{"key": k, "folder": folder, "seen_at": now} for k in new_seen]
            )
        _save_position(session, folder, position, now)
    return logged


def _entry(
    lead_id: int, role: str, headers: MailHeaders, at: datetime, folder: str
) -> tuple[SignalEntry, str]:
    payload = {"source": "mail", "folder": folder}
    if headers.auto_reply:
        # A robot answering is not the buyer engaging: a note keeps it on record, no more.
        note = f"Automatic reply: {headers.subject or '(no subject)'}"
        entry = SignalEntry(lead_id, SignalKind.NOTE, at, Direction.NONE, Channel.EMAIL, note,
                            payload)  # fmt: skip
        return entry, "auto_reply"
    if role == "inbox":
        entry = SignalEntry(lead_id, SignalKind.REPLIED, at, Direction.IN, Channel.EMAIL,
                            headers.subject, payload)  # fmt: skip
        return entry, "replied"
    entry = SignalEntry(lead_id, SignalKind.SENT, at, Direction.OUT, Channel.EMAIL,
                        headers.subject, payload)  # fmt: skip
    return entry, "sent"


def _leads_by_address(conn: Any, addresses: set[str]) -> dict[str, tuple[int, str]]:
    if not addresses:
        return {}
    rows = conn.execute(
        select(LEAD.c.email_key, LEAD.c.id, LEAD.c.name).where(LEAD.c.email_key.in_(addresses))
    ).all()
    return {key: (lead_id, name) for key, lead_id, name in rows}


def _already_seen(conn: Any, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(conn.execute(select(MAIL_SEEN.c.key).where(MAIL_SEEN.c.key.in_(keys))).scalars())
