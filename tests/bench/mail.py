"""Benchmark the mail watcher: a first pass over a full inbox, and a pass with nothing new.

    python -m tests.bench.mail --messages 10000 --leads 1000 --repeat 3 [--rules 50]

A real Dovecot serves an inbox of `--messages` messages, half of them from leads of a
generated pipeline (one in twenty an automatic reply). Each round opens a fresh database
(so the first pass has everything to log), times one full pass, then passes with nothing
new. Baselines are measured in the same run, interleaved: a bare imaplib session fetching
the same headers with no processing at all, and a bare log-in that selects both folders.
Targets: a full pass ≤ 10 s, a pass with nothing new ≤ 200 ms (medians).

With `--rules N`, one message in ten is a tool's notification (a proposal viewed, a meeting
booked) naming a lead by name, or by Reply-To, from the shipped tools and from tools of N
rules in all; each round then also times a full pass over the same inbox with no rules at
all, in a database of its own. Target: with the rules, within 20 % of without (medians).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from followthrough.domain.mailheaders import HEADER_FIELDS
from followthrough.domain.shippedrules import SHIPPED_RULES
from followthrough.domain.signalrules import SignalRule
from followthrough.paths import prepare_data_dir
from followthrough.services.mailwatch import FETCH_BATCH, PassReport, check_mail
from followthrough.services.signalrules import save_rules
from followthrough.store.db import Database
from tests.bench.pipelines import generate_pipeline
from tests.support.mailserver import MailServer, mail_server, message

FULL_TARGET_S = 10.0
IDLE_TARGET_S = 0.2
IDLE_SAMPLES = 5
ROWS = ("baseline_fetch", "full_pass", "baseline_login", "nothing_new")
RULES_ROWS = ("full_no_rules",)
RULES_TARGET = 1.2  # a pass with the rules, at most this times one without
NOTIFICATION_EVERY = 10
_ITEMS = f"(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS ({' '.join(HEADER_FIELDS)})])"


def bench_rules(count: int) -> list[SignalRule]:
    """The shipped rules, and rules for made-up tools up to `count`."""
    rules = list(SHIPPED_RULES[:count])
    for n in range(count - len(rules)):
        pattern = "{name} viewed {title}" if n % 2 else "{company}: {name} opened {any}"
        kind = "proposal_viewed" if n % 3 else "link_clicked"
        rules.append(SignalRule.create(f"Tool {n}", f"@tool{n}.example", pattern, kind))
    return rules


def _notification(i: int, people: list[tuple[str, str, str]], rules: list[SignalRule]) -> str:
    """The headers of a tool's notification about one lead (by name, or by Reply-To)."""
    email, name, company = people[i % len(people)]
    n = i % max(len(rules) - len(SHIPPED_RULES), 1)
    if i % 3 == 0:
        return f"From: DocSend <no-reply@docsend.com>\r\nSubject: {name} viewed Proposal {i}\r\n"
    if i % 3 == 1:
        return (
            f"From: Qwilr <hello@qwilr.com>\r\nReply-To: {email}\r\n"
            f"Subject: Visitor viewed Plan {i}\r\n"
        )
    subject = f"{name} viewed Deck {i}" if n % 2 else f"{company}: {name} opened Deck {i}"
    return f"From: Tool <notify@tool{n}.example>\r\nSubject: {subject}\r\n"


def fill_inbox(
    server: MailServer,
    senders: list[str],
    count: int,
    now: datetime,
    people: list[tuple[str, str, str]] | None = None,
    rules: list[SignalRule] | None = None,
) -> None:
    """Write `count` messages straight into the inbox's Maildir (APPEND is far too slow);
    with `people` and `rules`, one in NOTIFICATION_EVERY is a tool's notification."""
    # One message through IMAP first, so Dovecot creates the Maildir and the Sent folder.
    server.append("INBOX", message("a@b.example", server.user, "hi", date=now))
    server.append("Sent", message(server.user, "a@b.example", "hi", date=now))
    maildir = server.root / "home" / server.user / "Maildir"
    owner = maildir.stat()
    stamp = int(now.timestamp())
    for i in range(count):
        n = i % (2 * len(senders))
        sender = senders[n] if n < len(senders) else f"someone{i}@elsewhere.example"
        extra = "Auto-Submitted: auto-replied\r\n" if i % 20 == 0 else ""
        head = f"From: Person {i} <{sender}>\r\nSubject: Re: quote {i}\r\n"
        if people and rules and i % NOTIFICATION_EVERY == 1:
            head, extra = _notification(i, people, rules), ""
        raw = (
            f"{head}To: {server.user}\r\n"
            f"Date: {format_datetime(now - timedelta(minutes=count - i))}\r\n"
            f"Message-ID: <bench.{i}@example.com>\r\n{extra}\r\nThanks, talk soon.\r\n"
        ).encode()
        path = maildir / "cur" / f"{stamp}.B{i}.bench,S={len(raw)}:2,S"
        path.write_bytes(raw)
        if os.geteuid() == 0:  # the server reads the mail as its own user
            os.chown(path, owner.st_uid, owner.st_gid)


def _bare_fetch(server: MailServer) -> int:
    """The same headers fetched the same way, nothing done with them: the floor."""
    got = 0
    with server.client() as imap:
        imap.select("INBOX", readonly=True)
        _, data = imap.uid("SEARCH", "UID 1:*")
        uids = [int(x) for x in data[0].split()]
        for start in range(0, len(uids), FETCH_BATCH):
            part = uids[start : start + FETCH_BATCH]
            _, fetched = imap.uid("FETCH", f"{part[0]}:{part[-1]}", _ITEMS)
            got += sum(isinstance(x, tuple) for x in fetched)
    return got


def _bare_login(server: MailServer) -> None:
    with server.client() as imap:
        for folder in ("INBOX", "Sent"):
            imap.select(folder, readonly=True)


def _timed(op: Callable[..., object], *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = op(*args)
    return time.perf_counter() - start, result


def bench(
    n_messages: int, n_leads: int, repeat: int, seed: int, n_rules: int = 0
) -> tuple[dict[str, list[float]], int]:
    found: dict[str, list[float]] = {name: [] for name in ROWS + (RULES_ROWS if n_rules else ())}
    rules = bench_rules(n_rules) if n_rules else None
    logged = 0
    now = datetime.now(UTC)
    with mail_server() as server, tempfile.TemporaryDirectory(prefix="ft-mail-") as tmp:
        account = server.account()
        for round_no in range(repeat):
            db = Database.open(prepare_data_dir(Path(tmp) / f"round-{round_no}"), now)
            generate_pipeline(db, n_leads, seed=seed, now=now - timedelta(days=30))
            if rules is not None:
                save_rules(db, rules, now)
            with closing(sqlite3.connect(db.path)) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                people = [
                    (email, name, company or "")
                    for email, name, company in conn.execute(
                        "SELECT email, name, company FROM lead ORDER BY id"
                    )
                ]
                senders = [email for email, _, _ in people]
            if round_no == 0:
                fill_inbox(server, senders, n_messages, now, people, rules)
                _bare_fetch(server)  # the server indexes new files once; not ours to time
            if rules is not None:
                found["full_no_rules"].append(
                    _without_rules(
                        server, account, Path(tmp) / f"bare-{round_no}", n_leads, seed, now
                    )
                )
            found["baseline_fetch"].append(_timed(_bare_fetch, server)[0])
            took, full = _timed(check_mail, db, account, server.password)
            assert isinstance(full, PassReport)
            found["full_pass"].append(took)
            logged = len(full.logged)
            by_rules = sum(x.source == "mail_rule" for x in full.logged)
            found.setdefault("_by_rules", []).append(by_rules)
            for _ in range(IDLE_SAMPLES):
                found["baseline_login"].append(_timed(_bare_login, server)[0])
                took, idle = _timed(check_mail, db, account, server.password)
                assert isinstance(idle, PassReport)
                assert not idle.logged, "a second pass found something new"
                found["nothing_new"].append(took)
            db.close()
    return found, logged


def _without_rules(
    server: MailServer, account: object, folder: Path, n_leads: int, seed: int, now: datetime
) -> float:
    """A full pass over the same inbox and pipeline with no rules at all."""
    db = Database.open(prepare_data_dir(folder), now)
    try:
        generate_pipeline(db, n_leads, seed=seed, now=now - timedelta(days=30))
        save_rules(db, [], now)
        with closing(sqlite3.connect(db.path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        took, _ = _timed(check_mail, db, account, server.password)
        return took
    finally:
        db.close()


def report(found: dict[str, list[float]], n_messages: int, n_leads: int, logged: int) -> str:
    by_rules = int(found.pop("_by_rules", [0])[-1])
    lines = [
        f"{n_messages} messages, {n_leads} leads, {logged} logged per full pass "
        f"({by_rules} by signal rules)",
        f"{'operation':<15} {'median s':>9} {'max s':>7} {'× baseline':>11}",
    ]
    bases = {"full_pass": "baseline_fetch", "nothing_new": "baseline_login",
             "full_no_rules": "baseline_fetch"}  # fmt: skip
    for name, times in found.items():
        median = statistics.median(times)
        base = statistics.median(found[bases.get(name, name)])
        lines.append(f"{name:<15} {median:>9.3f} {max(times):>7.3f} {median / base:>11.1f}")
    full = statistics.median(found["full_pass"])
    idle = statistics.median(found["nothing_new"])
    verdict = "met" if full <= FULL_TARGET_S and idle <= IDLE_TARGET_S else "MISSED"
    lines.append(
        f"target: full pass ≤ {FULL_TARGET_S:g} s and nothing new ≤ {IDLE_TARGET_S:g} s "
        f"median: {verdict}"
    )
    if "full_no_rules" in found:
        bare = statistics.median(found["full_no_rules"])
        met = "met" if full <= bare * RULES_TARGET else "MISSED"
        lines.append(
            f"with the rules {full:.3f} s, without {bare:.3f} s: {full / bare - 1:+.1%} "
            f"(target ≤ {RULES_TARGET - 1:+.0%}): {met}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000, help="messages in the inbox")
    parser.add_argument("--leads", type=int, default=1000, help="leads in the pipeline")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rules", type=int, default=0,
                        help="signal rules (and one message in ten a tool's notification)")  # fmt: skip
    args = parser.parse_args(argv)
    found, logged = bench(args.messages, args.leads, args.repeat, args.seed, args.rules)
    print(report(found, args.messages, args.leads, logged))
    return 0


if __name__ == "__main__":
    sys.exit(main())
