"""Watching the mailbox: replies from leads and mail sent to them, logged without a click.

One pass reads the headers of the messages that arrived since the last pass, in the inbox
and the sent folder, and logs what concerns a lead. Network and database never overlap:
a batch of headers is fetched first, then written in one short transaction together with
the folder's new position, so a pass cut short (a crash, the server gone) has logged
exactly what it remembers having read, and the next pass goes on from there.

Two more things are read in the inbox, still from headers alone: a tool's notification
(a proposal viewed, a meeting booked) through the person's signal rules (mailrules.py), and
an invitation's answer from a lead, the one body part the app reads (mailinvites.py).

Where those reads and writes run is the caller's choice (`DatabaseTurn`): the CLI runs them
itself; the app hands them to its one database thread, so that the pass's own thread only
ever waits on the network (ui/mailwatcher.py). What is said to the server, and how it
fails, is services/mailserver.py.
"""

from __future__ import annotations

import imaplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from followthrough.domain.mailaccount import MailAccount
from followthrough.domain.mailheaders import MailHeaders
from followthrough.domain.provenance import MATCH, SOURCE, SignalSource, match_key
from followthrough.domain.signalrules import RuleBook
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.services.clock import local_zone, utcnow
from followthrough.services.mailinvites import PART_MAX, InviteAnswer, apply_answers, read_answer
from followthrough.services.mailrules import is_notification, load_book, rule_signals
from followthrough.services.mailserver import (
    Fetched,
    connected,
    fetch_calendar_parts,
    fetch_headers,
    fetch_sections,
    open_folder,
    uids_after,
)
from followthrough.services.matching import leads_by_email, unmatchable
from followthrough.services.setting_rows import put_setting
from followthrough.services.signal_log import SignalEntry, log_signals
from followthrough.services.signalrules import LeadLookup
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
    kind: str  # "replied" | "sent" | "auto_reply", or the signal a rule or an answer logged
    subject: str | None
    at: datetime
    folder: str
    source: str = SignalSource.MAIL.value  # or mail_rule, or calendar (an invitation's answer)
    rule: str | None = None  # the signal rule's name


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
    zone: tzinfo | None = None,
) -> PassReport:
    """One pass over the inbox and the sent folder; MailError if the server fails us.

    `db` is the database, or what runs work on it for this pass (see `DatabaseTurn`);
    `zone`: where all-day and floating times of an invitation's answer are (the machine's).
    """
    now = now or utcnow()
    zone = zone or local_zone()
    on_database = turn_for(db)
    logged: list[Logged] = []
    seen_counts: dict[str, int] = {}
    book = on_database(_load_book)
    lookup = LeadLookup()  # the leads' names, read once a pass if a notification needs them
    with connected(account, password) as imap:
        for folder, role in ((account.inbox, "inbox"), (account.sent, "sent")):
            seen_counts[folder] = 0
            for done, chunk, position in _new_messages(imap, on_database, folder, batch):
                answers = _answers(imap, on_database, chunk, zone) if role == "inbox" else {}
                write = partial(_log_chunk, folder=folder, role=role, chunk=chunk,
                                position=position, now=now, book=book, lookup=lookup,
                                answers=answers)  # fmt: skip
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


def _load_book(db: Database) -> RuleBook:
    with db.read() as session:
        return load_book(session.connection())


def _answers(
    imap: imaplib.IMAP4, on_database: DatabaseTurn, chunk: list[Fetched], zone: tzinfo
) -> dict[int, InviteAnswer]:
    """UID → the invitation's answer it carries, for the messages from leads that may carry
    one: their structure asked for, their calendar part alone read (mailinvites.py)."""
    maybe = [(uid, headers) for uid, headers in chunk if headers.may_hold_calendar]
    if not maybe:
        return {}
    uids = on_database(partial(_from_leads, maybe=maybe))
    parts = {uid: part for uid, part in fetch_calendar_parts(imap, uids).items()
             if part.size <= PART_MAX}  # fmt: skip
    answers: dict[int, InviteAnswer] = {}
    for uid, raw in fetch_sections(imap, parts, PART_MAX).items():
        answer = read_answer(raw, parts[uid], zone)
        if answer is not None:
            answers[uid] = answer
    return answers


def _from_leads(db: Database, maybe: list[Fetched]) -> list[int]:
    """The UIDs of those messages not logged before whose From, Sender or Reply-To is a lead."""
    with db.read() as session:
        conn = session.connection()
        seen = _already_seen(conn, [headers.key for _, headers in maybe])
        fresh = [(uid, h) for uid, h in maybe if h.key not in seen]
        leads = leads_by_email(conn, {a for _, h in fresh for a in _people(h)})
    return sorted(uid for uid, h in fresh if any(a in leads for a in _people(h)))


def _people(headers: MailHeaders) -> tuple[str, ...]:
    return (*headers.senders, *headers.sender, *headers.reply_to)


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
    book: RuleBook,
    lookup: LeadLookup,
    answers: dict[int, InviteAnswer],
) -> list[Logged]:
    """Log a batch and remember the folder's new position, in one transaction.

    In the inbox a message is one of three things, each logged its own way: an invitation's
    answer (`answers`), a tool's notification (a signal rule's sender), or mail from a lead.
    """
    with db.write() as session:
        conn = session.connection()
        seen = _already_seen(conn, list({headers.key for _, headers in chunk}))
        fresh: dict[str, tuple[int, MailHeaders]] = {}
        for uid, headers in chunk:
            if headers.key not in seen:
                fresh.setdefault(headers.key, (uid, headers))
        entries: list[SignalEntry] = []
        logged: list[Logged] = []
        new_seen: dict[str, None] = {}
        answered = [(uid, h) for uid, h in fresh.values() if uid in answers]
        for uid, headers in answered:
            new_seen[headers.key] = None  # read for what it is: its answer, not a reply
            at = min(headers.date, now)
            for done in apply_answers(conn, [(answers[uid], at)], now):
                entries.append(done.entry)
                logged.append(Logged(done.lead_id, done.lead_name, done.kind.value,
                                     headers.subject, done.entry.at, folder,
                                     SignalSource.CALENDAR.value))  # fmt: skip
        rest = [h for uid, h in fresh.values() if uid not in answers]
        notes = [h for h in rest if role == "inbox" and is_notification(book, h)]
        for signal in rule_signals(conn, book, lookup, notes, folder, now):
            new_seen[signal.key] = None
            entries.append(signal.entry)
            logged.append(Logged(signal.lead_id, signal.lead_name, signal.entry.kind.value,
                                 signal.entry.note, signal.entry.at, folder,
                                 SignalSource.MAIL_RULE.value, signal.rule.name))  # fmt: skip
        notified = {h.key for h in notes}
        mail = [h for h in rest if h.key not in notified]
        entries += _mail_entries(conn, mail, role, folder, now, new_seen, logged)
        log_signals(session, entries, now)
        if new_seen:
            conn.execute(
                insert(MAIL_SEEN), [{"key": k, "folder": folder, "seen_at": now} for k in new_seen]
            )
        _save_position(session, folder, position, now)
    return logged


def _mail_entries(
    conn: Any,
    mail: list[MailHeaders],
    role: str,
    folder: str,
    now: datetime,
    new_seen: dict[str, None],
    logged: list[Logged],
) -> list[SignalEntry]:
    """Replies from leads (inbox) and mail sent to them (sent folder)."""
    wanted = {
        address
        for headers in mail
        for address in (headers.senders if role == "inbox" else headers.recipients)
    }
    leads = leads_by_email(conn, wanted)
    # Leads kept out of automatic matching, and "Not this lead" said before.
    refused = unmatchable(conn, ((_match(a), lead) for a, (lead, _) in leads.items()))
    entries: list[SignalEntry] = []
    for headers in mail:
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
    return entries


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
