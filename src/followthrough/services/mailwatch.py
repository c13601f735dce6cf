"""Watching the mailbox: replies from leads and mail sent to them, logged without a click.

One pass reads the headers of the messages that arrived since the last pass, in the inbox
and the sent folder, and logs what concerns a lead. Network and database never overlap:
a batch of headers is fetched first, then written in one short transaction together with
the folder's new position, so a pass cut short (a crash, the server gone) has logged
exactly what it remembers having read, and the next pass goes on from there.

Where those reads and writes run is the caller's choice (`DatabaseTurn`): the CLI runs them
itself; the app hands them to its one database thread, so that the pass's own thread only
ever waits on the network (ui/mailwatcher.py). What is said to the server, and how it
fails, is services/mailserver.py.
"""

from __future__ import annotations

import imaplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from followthrough.domain.mailaccount import MailAccount
from followthrough.domain.mailheaders import MailHeaders
from followthrough.domain.provenance import MATCH, SOURCE, SignalSource, match_key
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.services.clock import utcnow
from followthrough.services.mailserver import (
    Fetched,
    connected,
    fetch_headers,
    open_folder,
    uids_after,
)
from followthrough.services.matching import leads_by_email, unmatchable
from followthrough.services.setting_rows import put_setting
from followthrough.services.signal_log import SignalEntry, log_signals
from followthrough.services.turns import DatabaseTurn, turn_for
from followthrough.store.db import Database
from followthrough.store.models import Setting
from followthrough.store.tables import MAIL_SEEN, SETTING

__all__ = [
    "FETCH_BATCH",
    "STATE_KEY",
    "DatabaseTurn",
    "Logged",
    "PassReport",
    "Progress",
    "check_mail",
    "forget_state",
]

FETCH_BATCH = 500  # messages per FETCH: big enough to amortise a round trip, small to commit
STATE_KEY = "mail.watch"  # folder -> {"uidvalidity", "last_uid"}


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
    on_database = turn_for(db)
    logged: list[Logged] = []
    seen_counts: dict[str, int] = {}
    with connected(account, password) as imap:
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


def _new_messages(
    imap: imaplib.IMAP4, on_database: DatabaseTurn, folder: str, batch: int
) -> Iterator[tuple[int, list[Fetched], Position]]:
    """(read so far, a batch of headers, the position after it) for messages not read yet."""
    uidvalidity, uidnext = open_folder(imap, folder)
    stored = on_database(_load_state).get(folder, {})
    last = int(stored.get("last_uid", 0))
    if stored.get("uidvalidity") != uidvalidity:
        # The server renumbered the folder: read it again; Message-IDs keep it from doubling.
        last = 0
    if uidnext is not None and uidnext <= last + 1:
        if stored.get("uidvalidity") != uidvalidity:
            yield 0, [], (uidvalidity, last)
        return
    uids = uids_after(imap, last)
    if not uids:
        if stored.get("uidvalidity") != uidvalidity:
            yield 0, [], (uidvalidity, last)
        return
    done = 0
    for start in range(0, len(uids), batch):
        part = uids[start : start + batch]
        chunk = fetch_headers(imap, part[0], part[-1], last)
        done += len(chunk)
        yield done, chunk, (uidvalidity, part[-1])


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
    put_setting(session, STATE_KEY, state, now)  # a new dict: the JSON column sees the change


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
        leads = leads_by_email(conn, wanted)
        # Leads kept out of automatic matching, and "Not this lead" said before.
        refused = unmatchable(conn, ((_match(a), lead) for a, (lead, _) in leads.items()))
        keys = list({headers.key for _, headers in chunk})
        seen = _already_seen(conn, keys)
        entries: list[SignalEntry] = []
        logged: list[Logged] = []
        new_seen: dict[str, None] = {}
        for _, headers in chunk:
            if headers.key in seen or headers.key in new_seen:
                continue
            addresses = headers.senders[:1] if role == "inbox" else headers.recipients
            matched: dict[tuple[int, str], str] = {}  # each lead once, by its first address
            for address in addresses:
                found = leads.get(address)
                if found is not None and (_match(address), found[0]) not in refused:
                    matched.setdefault(found, address)
            if not matched:
                continue
            new_seen[headers.key] = None
            at = min(headers.date, now)
            for (lead_id, name), address in matched.items():
                entry, kind = _entry(lead_id, role, headers, at, folder, address)
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
    lead_id: int, role: str, headers: MailHeaders, at: datetime, folder: str, address: str
) -> tuple[SignalEntry, str]:
    # Where it came from and what matched the lead: "Not this lead" learns from the match.
    payload = {
        SOURCE: SignalSource.MAIL.value,
        "folder": folder,
        MATCH: _match(address),
    }
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


def _match(address: str) -> str:
    return match_key(SignalSource.MAIL, address)


def _already_seen(conn: Any, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(conn.execute(select(MAIL_SEEN.c.key).where(MAIL_SEEN.c.key.in_(keys))).scalars())
