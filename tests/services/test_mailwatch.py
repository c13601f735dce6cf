"""The mail watcher against a real Dovecot: what a pass logs, once, and how it fails."""

from __future__ import annotations

import itertools
import os
import signal
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from followthrough.domain.leads import NewLead
from followthrough.domain.mailaccount import MailAccount
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.paths import DataPaths
from followthrough.services import alerts, lead_queries, leads, mailserver, mailwatch
from followthrough.services.mailserver import MailError
from followthrough.services.mailwatch import check_mail
from followthrough.store.db import Database
from followthrough.store.models import Event, MailSeen, Setting
from tests.conftest import NOW
from tests.support.mailserver import MailServer, message

ME = "founder@example.com"
_folder_numbers = itertools.count(1)


@pytest.fixture
def account(server: MailServer) -> MailAccount:
    """An account reading two folders of its own, so tests sharing the server stay apart."""
    n = next(_folder_numbers)
    inbox, sent = f"in{n}", f"out{n}"
    server.append(inbox)
    server.append(sent)
    return server.account(inbox=inbox, sent=sent)


def add(db: Database, name: str, email: str, state: State = State.HOT) -> int:
    at = NOW - timedelta(days=5)
    new = NewLead.create(name=name, email=email, state=state, next_step="Pilot", now=at)
    return leads.add_lead(db, new, at).id


def events(db: Database, lead_id: int | None = None) -> list[tuple[str, str, str | None, str]]:
    """(kind, direction, text, at as ISO) of the events the watcher could have written."""
    with db.read() as session:
        query = select(Event).where(col(Event.kind) != "state_change").order_by(col(Event.id))
        if lead_id is not None:
            query = query.where(Event.lead_id == lead_id)
        return [(e.kind, e.direction, e.text, e.at.isoformat()) for e in session.exec(query)]


def reply(sender: str, subject: str, hours_ago: float = 1, **kwargs: object) -> bytes:
    return message(sender, ME, subject, date=NOW - timedelta(hours=hours_ago), **kwargs)  # type: ignore[arg-type]


def test_a_reply_from_a_lead_is_logged_with_its_own_date(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    ana = add(db, "Ana", "ana@acme.io")
    server.append(
        account.inbox,
        reply("Ana Lopez <ANA@Acme.io>", "Re: Quote", hours_ago=3),
        reply("stranger@else.io", "Hello"),
    )

    report = check_mail(db, account, server.password, now=NOW)

    at = (NOW - timedelta(hours=3)).isoformat()
    assert events(db) == [("replied", "in", "Re: Quote", at)]
    assert [(x.lead_name, x.kind, x.subject, x.folder) for x in report.logged] == [
        ("Ana", "replied", "Re: Quote", account.inbox)
    ]
    assert report.read == 2
    assert report.folders == {account.inbox: 2, account.sent: 0}
    lead = lead_queries.get_lead(db, ana, NOW).lead
    assert lead.last_inbound_at == NOW - timedelta(hours=3)


def test_mail_sent_to_or_copied_to_leads_is_logged_as_sent(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    ana = add(db, "Ana", "ana@acme.io")
    bob = add(db, "Bob", "bob@beta.io")
    server.append(
        account.sent,
        message(
            ME,
            "someone@else.io, Ana <ana@acme.io>",
            "Quote",
            cc="=?utf-8?q?B=C3=B6b?= <Bob@Beta.io>",
            date=NOW - timedelta(hours=2),
        ),
    )

    report = check_mail(db, account, server.password, now=NOW)

    assert sorted((x.lead_name, x.kind) for x in report.logged) == [
        ("Ana", "sent"),
        ("Bob", "sent"),
    ]
    for lead_id in (ana, bob):
        assert [e[:3] for e in events(db, lead_id)] == [("sent", "out", "Quote")]
        assert lead_queries.get_lead(db, lead_id, NOW).lead.unanswered == 1


def awaiting_reply_with_silence_alert(db: Database) -> int:
    """A Hot lead we wrote to four days ago, with the silence alert open."""
    lead_id = add(db, "Ana", "ana@acme.io")
    leads.log_event(db, lead_id, SignalKind.SENT, at=NOW - timedelta(days=4), now=NOW)
    alerts.tick(db, NOW)
    assert [a.rule for a in alerts.list_alerts(db)] == ["silence"]
    return lead_id


def test_a_reply_clears_the_silence_alert_at_once(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    lead_id = awaiting_reply_with_silence_alert(db)
    server.append(account.inbox, reply("ana@acme.io", "Re: Pilot"))

    check_mail(db, account, server.password, now=NOW)

    assert alerts.list_alerts(db) == []
    assert lead_queries.get_lead(db, lead_id, NOW).lead.unanswered == 0


def test_an_automatic_reply_is_a_note_and_the_silence_alert_stays(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    lead_id = awaiting_reply_with_silence_alert(db)
    server.append(
        account.inbox,
        reply("ana@acme.io", "Out of office"),
        reply("ana@acme.io", "Re: Pilot", headers={"Auto-Submitted": "auto-replied"}),
    )

    report = check_mail(db, account, server.password, now=NOW)

    assert [x.kind for x in report.logged] == ["auto_reply", "auto_reply"]
    assert [e[:3] for e in events(db, lead_id)][1:] == [
        ("note", "none", "Automatic reply: Out of office"),
        ("note", "none", "Automatic reply: Re: Pilot"),
    ]
    assert [a.rule for a in alerts.list_alerts(db)] == ["silence"]
    lead = lead_queries.get_lead(db, lead_id, NOW).lead
    assert lead.last_inbound_at is None
    assert lead.unanswered == 1


def test_nothing_is_logged_twice_across_passes_and_restarts(
    db: Database, data_paths: DataPaths, server: MailServer, account: MailAccount
) -> None:
    add(db, "Ana", "ana@acme.io")
    server.append(account.inbox, reply("ana@acme.io", "Re: 1"), reply("ana@acme.io", "Re: 2"))
    server.append(account.sent, message(ME, "ana@acme.io", "Quote", date=NOW - timedelta(days=1)))

    first = check_mail(db, account, server.password, now=NOW)
    second = check_mail(db, account, server.password, now=NOW)
    restarted = Database.open(data_paths, NOW)
    try:
        third = check_mail(restarted, account, server.password, now=NOW)
        server.append(account.inbox, reply("ana@acme.io", "Re: 3"))
        fourth = check_mail(restarted, account, server.password, now=NOW)
    finally:
        restarted.close()

    assert len(first.logged) == 3
    assert (second.logged, second.read, third.logged, third.read) == ((), 0, (), 0)
    assert [x.subject for x in fourth.logged] == ["Re: 3"]
    assert sorted(e[2] or "" for e in events(db)) == ["Quote", "Re: 1", "Re: 2", "Re: 3"]


def test_the_same_message_in_inbox_and_sent_is_logged_once(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    add(db, "Ana", "ana@acme.io")
    # A message to the lead that the user also received (a copy to self, a list...).
    same = message("ana@acme.io", "ana@acme.io", "Both", date=NOW - timedelta(hours=1),
                   message_id="<Same.1@Acme.io>")  # fmt: skip
    server.append(account.inbox, same)
    server.append(account.sent, same.replace(b"<Same.1@Acme.io>", b"<same.1@acme.io>"))

    report = check_mail(db, account, server.password, now=NOW)

    assert [x.kind for x in report.logged] == ["replied"]
    assert [e[0] for e in events(db)] == ["replied"]


def test_a_new_uidvalidity_reads_the_folder_again_without_duplicates(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    add(db, "Ana", "ana@acme.io")
    server.append(account.inbox, reply("ana@acme.io", "Re: 1"), reply("ana@acme.io", "Re: 2"))
    check_mail(db, account, server.password, now=NOW)
    before = server.uidvalidity(account.inbox)

    server.reset_uidvalidity(account.inbox)
    server.append(account.inbox, reply("ana@acme.io", "Re: 3"))
    report = check_mail(db, account, server.password, now=NOW)

    assert server.uidvalidity(account.inbox) != before
    assert report.folders[account.inbox] == 3  # read again from the start
    assert [x.subject for x in report.logged] == ["Re: 3"]
    assert sorted(e[2] or "" for e in events(db)) == ["Re: 1", "Re: 2", "Re: 3"]


def test_a_wrong_password_writes_nothing_and_says_so_without_the_password(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    add(db, "Ana", "ana@acme.io")
    server.append(account.inbox, reply("ana@acme.io", "Re: 1"))
    wrong = "not-the-Secret-42"

    with pytest.raises(MailError) as raised:
        check_mail(db, account, wrong, now=NOW)

    assert raised.value.kind == "auth"
    assert raised.value.exit_code == 5
    assert server.user in str(raised.value)
    assert wrong not in str(raised.value)
    assert wrong not in repr(raised.value)
    assert events(db) == []
    with db.read() as session:
        assert session.get(Setting, mailwatch.STATE_KEY) is None


def test_a_server_gone_mid_pass_loses_and_doubles_nothing(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    add(db, "Ana", "ana@acme.io")
    add(db, "Bob", "bob@beta.io")
    server.append(account.inbox, *(reply("ana@acme.io", f"Re: {n}") for n in range(5)))
    server.append(account.sent, message(ME, "bob@beta.io", "Quote", date=NOW - timedelta(days=1)))
    progress: list[tuple[str, int]] = []

    def stop_after_first_fetch(folder: str, done: int) -> None:
        progress.append((folder, done))
        if len(progress) == 1:
            # Dovecot lets open sessions finish after its master stops: end them too, as a
            # crash or a reboot of the server would.
            sessions = _children(server.process.pid)
            server.stop()
            for pid in sessions:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    try:
        with pytest.raises(MailError) as raised:
            check_mail(db, account, server.password, now=NOW, on_progress=stop_after_first_fetch,
                       batch=2)  # fmt: skip
    finally:
        server.start()

    assert raised.value.kind in {"connect", "server"}
    assert progress == [(account.inbox, 2)]
    assert [e[2] for e in events(db)] == ["Re: 0", "Re: 1"]  # what was read, all of it
    with db.read() as session:
        assert len(session.exec(select(MailSeen)).all()) == 2

    report = check_mail(db, account, server.password, now=NOW, batch=2)

    assert [x.subject for x in report.logged] == ["Re: 2", "Re: 3", "Re: 4", "Quote"]
    assert sorted(e[2] or "" for e in events(db)) == [
        "Quote", "Re: 0", "Re: 1", "Re: 2", "Re: 3", "Re: 4"
    ]  # fmt: skip


def _children(pid: int) -> list[int]:
    """The processes `pid` started (Linux: read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def test_implicit_tls_on_the_plain_port_is_a_tls_failure(
    server: MailServer, account: MailAccount
) -> None:
    wrong_port = MailAccount.create(**{**account.to_json(), "port": server.plain_port})
    with pytest.raises(MailError) as raised:
        mailserver.test_connection(wrong_port, server.password)
    assert raised.value.kind == "tls"


def test_a_certificate_nobody_vouches_for_is_a_tls_failure(
    server: MailServer, account: MailAccount
) -> None:
    untrusted = MailAccount.create(**{**account.to_json(), "ca_file": None})
    with pytest.raises(MailError) as raised:
        mailserver.test_connection(untrusted, server.password)
    assert raised.value.kind == "tls"
    assert "certificate" in str(raised.value)


def test_nothing_listening_is_a_connection_failure(account: MailAccount) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = MailAccount.create(**{**account.to_json(), "port": port})
    with pytest.raises(MailError) as raised:
        mailserver.test_connection(closed, "whatever")
    assert raised.value.kind == "connect"


def test_starttls_works_and_the_server_folders_are_detected(
    server: MailServer, account: MailAccount
) -> None:
    starttls = MailAccount.create(
        **{**account.to_json(), "security": "starttls", "port": server.plain_port}
    )
    assert mailserver.test_connection(starttls, server.password) == {
        "inbox": "INBOX",
        "sent": "Sent",
    }
    assert mailserver.detect_folders(account, server.password) == {"inbox": "INBOX", "sent": "Sent"}


def test_a_missing_folder_is_named(db: Database, server: MailServer, account: MailAccount) -> None:
    missing = MailAccount.create(**{**account.to_json(), "sent": "Sent Items"})
    with pytest.raises(MailError) as raised:
        mailserver.test_connection(missing, server.password)
    assert raised.value.kind == "folder"
    assert "'Sent Items'" in str(raised.value)

    with pytest.raises(MailError) as in_pass:
        check_mail(db, missing, server.password, now=NOW)
    assert in_pass.value.kind == "folder"


def test_bodies_are_never_read(
    db: Database, data_paths: DataPaths, server: MailServer, account: MailAccount
) -> None:
    add(db, "Ana", "ana@acme.io")
    server.append(account.inbox, reply("ana@acme.io", "Re: Quote", body="Zyxwvutsrqp marker.\n"))

    report = check_mail(db, account, server.password, now=NOW)
    db.close()

    assert len(report.logged) == 1
    stored = b"".join(p.read_bytes() for p in Path(data_paths.root).rglob("*") if p.is_file())
    assert b"Re: Quote" in stored  # the search below can see what was written
    assert b"Zyxwvutsrqp" not in stored


def test_a_forgotten_position_reads_again_and_logs_nothing_twice(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    add(db, "Ana", "ana@acme.io")
    server.append(account.inbox, reply("ana@acme.io", "Re: 1"))
    check_mail(db, account, server.password, now=NOW)

    mailwatch.forget_state(db)
    report = check_mail(db, account, server.password, now=NOW)

    assert (report.read, report.logged) == (1, ())
    assert [e[2] for e in events(db)] == ["Re: 1"]


def test_mail_dated_in_the_future_is_logged_now(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    add(db, "Ana", "ana@acme.io")
    server.append(account.inbox, reply("ana@acme.io", "Re: from a fast clock", hours_ago=-5))

    report = check_mail(db, account, server.password, now=NOW)

    assert [x.at for x in report.logged] == [NOW]


def _pipeline(db: Database) -> list[int]:
    """Three leads awaiting replies; one silence alert open, one done a few hours ago."""
    ids = [add(db, name, f"{name.lower()}@x.io") for name in ("Ana", "Bob", "Cy")]
    for lead_id in ids:
        leads.log_event(db, lead_id, SignalKind.SENT, at=NOW - timedelta(days=4), now=NOW)
    alerts.tick(db, NOW - timedelta(days=1))
    bob_alert = next(a for a in alerts.list_alerts(db) if a.lead_id == ids[1])
    alerts.resolve(db, bob_alert.id, "done", NOW - timedelta(hours=12))
    return ids


def _picture(db: Database) -> tuple[object, ...]:
    """What a user could notice of the leads, their timelines and alerts."""
    from followthrough.store.models import Alert, Lead

    with db.read() as session:
        lead_rows = [
            (x.id, x.last_outbound_at, x.last_inbound_at, x.unanswered, x.next_check_at)
            for x in session.exec(select(Lead).order_by(col(Lead.id)))
        ]
        event_rows = [
            (x.lead_id, x.at, x.kind, x.direction, x.channel, x.text)
            for x in session.exec(select(Event).order_by(col(Event.id)))
        ]
        alert_rows = [
            (x.lead_id, x.rule, x.status, x.outcome, x.outcome_at)
            for x in session.exec(select(Alert).order_by(col(Alert.id)))
        ]
    return lead_rows, event_rows, alert_rows


def test_logging_signals_in_bulk_matches_logging_them_one_by_one(
    db: Database, tmp_path: Path
) -> None:
    from followthrough.domain.signals import SIGNAL_TRAITS
    from followthrough.paths import prepare_data_dir
    from followthrough.services.signal_log import SignalEntry, log_signals

    ana, bob, cy = _pipeline(db)
    hours = [timedelta(hours=h) for h in (9, 7, 5, 3, 2, 1)]
    signals = [
        (bob, SignalKind.PROPOSAL_VIEWED, NOW - hours[0]),
        (ana, SignalKind.REPLIED, NOW - hours[1]),
        (bob, SignalKind.REPLIED, NOW - hours[2]),
        (cy, SignalKind.NOTE, NOW - hours[3]),
        (ana, SignalKind.SENT, NOW - hours[4]),
        (cy, SignalKind.SENT, NOW - hours[5]),
    ]
    for lead_id, kind, at in signals:
        leads.log_event(db, lead_id, kind, at=at, note=f"{kind} {at:%H}", now=NOW)

    bulk = Database.open(prepare_data_dir(tmp_path / "bulk"), NOW)
    try:
        assert _pipeline(bulk) == [ana, bob, cy]
        entries = [
            SignalEntry(lead_id, kind, at, SIGNAL_TRAITS[kind].direction,
                        SIGNAL_TRAITS[kind].channel, f"{kind} {at:%H}")
            for lead_id, kind, at in signals
        ]  # fmt: skip
        with bulk.write() as session:
            assert log_signals(session, entries, NOW) == [bob, ana, cy]
        by_hand, in_bulk = _picture(db), _picture(bulk)
    finally:
        bulk.close()

    assert in_bulk == by_hand
    _, _, alert_rows = by_hand
    assert "engaged" in {row[3] for row in alert_rows}  # the comparison covers crediting
    assert {row[2] for row in alert_rows} >= {"cleared", "done"}
