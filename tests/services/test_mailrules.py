"""Notification mail and invitation answers against a real Dovecot: the signals a pass logs
for the lead, once, across re-runs and restarts; taken back and never made again."""

from __future__ import annotations

import imaplib
import itertools
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from sqlmodel import col, select

from followthrough.domain.leads import NewLead
from followthrough.domain.mailaccount import MailAccount
from followthrough.domain.meetings import Occurrence
from followthrough.domain.signalrules import SignalRule
from followthrough.domain.states import State
from followthrough.paths import DataPaths
from followthrough.services import lead_queries, leads, signalrules
from followthrough.services.calendar.meetings import apply_read
from followthrough.services.mailwatch import check_mail, forget_state
from followthrough.services.matching import not_this_lead, set_auto_signals
from followthrough.store.db import Database
from followthrough.store.models import Event, Meeting
from tests.conftest import NOW
from tests.support.mailserver import MailServer, message

ME = "founder@example.com"
_numbers = itertools.count(1)


@pytest.fixture
def account(server: MailServer) -> MailAccount:
    n = next(_numbers)
    inbox, sent = f"rules-in{n}", f"rules-out{n}"
    server.append(inbox)
    server.append(sent)
    return server.account(inbox=inbox, sent=sent)


def add(db: Database, name: str, email: str | None = None, company: str | None = None) -> int:
    at = NOW - timedelta(days=5)
    new = NewLead.create(name=name, email=email, company=company, state=State.HOT, now=at)
    return leads.add_lead(db, new, at).id


def timeline(db: Database, lead_id: int | None = None) -> list[tuple[int, str, str | None, str]]:
    """(lead, kind, text, source) of what the watch logged."""
    with db.read() as session:
        query = select(Event).where(col(Event.kind) != "state_change").order_by(col(Event.id))
        if lead_id is not None:
            query = query.where(Event.lead_id == lead_id)
        return [(e.lead_id, e.kind, e.text, e.payload.get("source", "typed"))
                for e in session.exec(query)]  # fmt: skip


def note(sender: str, subject: str, hours_ago: float = 1, **headers: str) -> bytes:
    return message(sender, ME, subject, date=NOW - timedelta(hours=hours_ago), headers=headers)


def test_each_shipped_tools_notification_is_logged_once_for_its_lead(
    db: Database, data_paths: DataPaths, server: MailServer, account: MailAccount
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io", "Acme")
    jose = add(db, "José Núñez", "jose@beta.io", "Beta")
    bob = add(db, "Bob Stone", "bob@gamma.io")
    server.append(
        account.inbox,
        note("DocSend <no-reply@docsend.com>", "Dana Reyes viewed Proposal for Acme"),
        note("docs@email.pandadoc.net", "jose nunez opened Pilot quote"),
        note("notifications@proposify.com", "Bob Stone is viewing Proposal"),
        note("Qwilr <hello@qwilr.com>", "Visitor viewed Plan", **{"Reply-To": "Dana@Acme.io"}),
        note("notifications@calendly.com", "New Event: Bob Stone - 10:00am Fri - Demo"),
        note("hello@cal.com", "Event cancelled: Demo between Founder and Bob Stone"),
        note("noreply@notifications.hubspot.com", "José Núñez clicked a link in Quote"),
        note("no-reply@docsend.com", "Somebody Else viewed Proposal"),  # no such lead
        note("news@docsend.com", "Our product update"),  # the tool's sender, no pattern
    )

    first = check_mail(db, account, server.password, now=NOW)

    assert [(x.lead_name, x.kind, x.source, x.rule) for x in first.logged] == [
        ("Dana Reyes", "proposal_viewed", "mail_rule", "DocSend: viewed"),
        ("José Núñez", "proposal_viewed", "mail_rule", "PandaDoc: opened"),
        ("Bob Stone", "proposal_viewed", "mail_rule", "Proposify: viewing"),
        ("Dana Reyes", "proposal_viewed", "mail_rule", "Qwilr: viewed"),
        ("Bob Stone", "meeting_booked", "mail_rule", "Calendly: new event"),
        ("Bob Stone", "meeting_cancelled", "mail_rule", "Cal.com: cancelled"),
        ("José Núñez", "link_clicked", "mail_rule", "HubSpot: clicked"),
    ]
    assert [(k, t) for _, k, t, _ in timeline(db, dana)] == [
        ("proposal_viewed", "Dana Reyes viewed Proposal for Acme"),
        ("proposal_viewed", "Visitor viewed Plan"),
    ]
    assert lead_queries.get_lead(db, jose, NOW).lead.last_inbound_at == NOW - timedelta(hours=1)
    assert {e[3] for e in timeline(db)} == {"mail_rule"}  # none of it read as a reply
    assert lead_queries.get_lead(db, bob, NOW).lead.unanswered == 0

    again = check_mail(db, account, server.password, now=NOW)
    forget_state(db)  # read from the start again: the seen messages stay seen
    reread = check_mail(db, account, server.password, now=NOW)
    restarted = Database.open(data_paths, NOW)
    try:
        after_restart = check_mail(restarted, account, server.password, now=NOW)
    finally:
        restarted.close()
    assert (again.logged, reread.logged, after_restart.logged) == ((), (), ())
    assert reread.read == 9
    assert len(timeline(db)) == 7


def test_a_tool_sending_on_behalf_of_a_lead_is_a_rule_signal_not_a_reply(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    server.append(
        account.inbox,
        note(
            "Dana Reyes <dana@acme.io>",
            "Your proposal was opened",
            Sender="DocSend <notify@docsend.com>",
        ),
    )
    signalrules.add_rule(db, SignalRule.create("Viewed by", "@docsend.com",
                                               "Your proposal was {any}", "proposal_viewed"))  # fmt: skip

    report = check_mail(db, account, server.password, now=NOW)

    assert [(x.kind, x.rule) for x in report.logged] == [("proposal_viewed", "Viewed by")]
    [(_, kind, _, source)] = timeline(db, dana)
    assert (kind, source) == ("proposal_viewed", "mail_rule")


def test_a_wrong_match_is_taken_back_and_not_made_again(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    server.append(account.inbox, note("no-reply@docsend.com", "Dana Reyes viewed Deck", 3))
    check_mail(db, account, server.password, now=NOW)
    with db.read() as session:
        event = session.exec(
            select(Event).where(Event.lead_id == dana, Event.kind != "state_change")
        ).one()
    assert event.payload["match"] == "mail_rule:@docsend.com:name:dana reyes"
    assert event.payload["rule"] == "DocSend: viewed"

    taken = not_this_lead(db, event.id or 0, NOW)

    assert taken.match == "mail_rule:@docsend.com:name:dana reyes"
    assert timeline(db, dana) == []
    server.append(account.inbox, note("no-reply@docsend.com", "Dana Reyes viewed Deck again", 1))
    forget_state(db)
    report = check_mail(db, account, server.password, now=NOW)
    assert report.logged == ()
    assert timeline(db, dana) == []
    trial = signalrules.try_rule(db, "Dana Reyes viewed Deck", "no-reply@docsend.com")
    assert (trial.lead_id, trial.kind) == (dana, "proposal_viewed")
    assert "said not to be this match" in trial.why
    # Another tool naming her still may: what was refused is that sender and that name.
    server.append(account.inbox, note("hello@qwilr.com", "Dana Reyes viewed Plan"))
    assert [x.rule for x in check_mail(db, account, server.password, now=NOW).logged] == [
        "Qwilr: viewed"
    ]


def test_a_lead_kept_out_of_automatic_matching_is_untouched(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    set_auto_signals(db, dana, False, NOW)
    server.append(
        account.inbox,
        note("no-reply@docsend.com", "Dana Reyes viewed Deck"),
        note("hello@qwilr.com", "Someone viewed Plan", **{"Reply-To": "dana@acme.io"}),
    )

    assert check_mail(db, account, server.password, now=NOW).logged == ()
    assert timeline(db, dana) == []


def test_rules_edited_disabled_and_reset_change_what_is_logged(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    signalrules.set_enabled(db, "docsend: VIEWED", False, NOW)
    server.append(account.inbox, note("no-reply@docsend.com", "Dana Reyes viewed Deck"))
    assert check_mail(db, account, server.password, now=NOW).logged == ()
    assert [r.enabled for r in signalrules.list_rules(db) if r.name == "DocSend: viewed"] == [False]

    signalrules.reset_rules(db, NOW)
    server.append(account.inbox, note("no-reply@docsend.com", "Dana Reyes viewed Deck 2"))
    assert [x.lead_id for x in check_mail(db, account, server.password, now=NOW).logged] == [dana]


# --- invitations answered by mail ---------------------------------------------------------

START = NOW + timedelta(days=2)  # Wednesday 10:00 UTC
DESCRIPTION = "Qqzx private agenda marker"
BODY_TEXT = "Wvvk body text marker"


def ics(method: str, attendee: str, partstat: str, uid: str = "pilot-1@example.com") -> str:
    end = START + timedelta(hours=1)
    stamp = "%Y%m%dT%H%M%SZ"
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example//Calendar//EN", f"METHOD:{method}",
        "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{NOW:{stamp}}", f"DTSTART:{START:{stamp}}",
        f"DTEND:{end:{stamp}}", "SUMMARY:Pilot scope", f"DESCRIPTION:{DESCRIPTION}",
        f"ORGANIZER:mailto:{ME if method == 'REPLY' else attendee}",
        f"ATTENDEE;PARTSTAT={partstat};CN=Someone:mailto:{attendee}",
        *(["ATTENDEE;PARTSTAT=ACCEPTED:mailto:" + ME] if method == "CANCEL" else []),
        "END:VEVENT", "END:VCALENDAR", "",
    ])  # fmt: skip


def answer(
    sender: str,
    subject: str,
    calendar: str,
    *,
    attachment: bytes | None = None,
    hours_ago: float = 1,
) -> bytes:
    """An answer as calendars send it: a text, the calendar part, maybe an attachment."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ME
    mail["Subject"] = subject
    mail["Date"] = format_datetime(NOW - timedelta(hours=hours_ago))
    mail["Message-ID"] = make_msgid(domain="example.com")
    mail.set_content(BODY_TEXT + "\n")
    method = "REPLY" if "METHOD:REPLY" in calendar else "CANCEL"
    mail.add_alternative(calendar.encode(), maintype="text", subtype="calendar",
                         params={"method": method, "charset": "utf-8"})  # fmt: skip
    if attachment is not None:
        mail.add_attachment(attachment, maintype="application", subtype="pdf",
                            filename="deck.pdf")  # fmt: skip
    return mail.as_bytes()


def meetings(db: Database) -> list[tuple[str, int, bool, datetime]]:
    with db.read() as session:
        return [(m.key, m.lead_id, m.cancelled, m.start.astimezone(UTC))
                for m in session.exec(select(Meeting).order_by(col(Meeting.id)))]  # fmt: skip


KEY = "pilot-1@example.com|"  # a single event: known by its UID alone (a move keeps it)


def test_an_accepted_then_declined_invitation_books_then_cancels_the_meeting(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    server.append(
        account.inbox,
        answer(
            "Dana Reyes <dana@acme.io>",
            "Accepted: Pilot scope",
            ics("REPLY", "dana@acme.io", "ACCEPTED"),
        ),
        answer(
            "Dana Reyes <dana@acme.io>",
            "Accepted: Pilot scope",
            ics("REPLY", "dana@acme.io", "ACCEPTED"),
        ),
    )

    report = check_mail(db, account, server.password, now=NOW)

    assert [(x.kind, x.source) for x in report.logged] == [("meeting_booked", "calendar")]
    assert meetings(db) == [(KEY, dana, False, START)]
    lead = lead_queries.get_lead(db, dana, NOW).lead
    assert (lead.next_step, lead.next_step_due) == ("Call: Pilot scope", START)
    [(_, kind, text, source)] = timeline(db, dana)  # an answer, not also a reply
    assert (kind, text, source) == ("meeting_booked", "Pilot scope", "calendar")

    server.append(account.inbox, answer("dana@acme.io", "Declined: Pilot scope",
                                        ics("REPLY", "dana@acme.io", "DECLINED")))  # fmt: skip
    declined = check_mail(db, account, server.password, now=NOW)

    assert [x.kind for x in declined.logged] == ["meeting_cancelled"]
    assert meetings(db) == [(KEY, dana, True, START)]
    assert [k for _, k, _, _ in timeline(db, dana)] == ["meeting_booked", "meeting_cancelled"]
    # The calendar, read later, sees the same meeting declined: nothing more to log.
    declined_in_calendar = Occurrence(KEY, "Pilot scope", START, START + timedelta(hours=1),
                                      False, False, {"dana@acme.io": "DECLINED"})  # fmt: skip
    assert apply_read(db, [declined_in_calendar], NOW, NOW + timedelta(days=30), NOW) == []


def test_an_acceptance_the_calendar_already_kept_logs_nothing_new(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    invited = Occurrence(KEY, "Pilot scope", START, START + timedelta(hours=1), False, False,
                         {"dana@acme.io": ""})  # fmt: skip
    apply_read(db, [invited], NOW, NOW + timedelta(days=30), NOW)
    server.append(account.inbox, answer("dana@acme.io", "Accepted: Pilot scope",
                                        ics("REPLY", "dana@acme.io", "ACCEPTED")))  # fmt: skip

    assert check_mail(db, account, server.password, now=NOW).logged == ()
    assert [k for _, k, _, _ in timeline(db, dana)] == ["meeting_booked"]


def test_a_cancellation_inside_a_big_message_reads_only_its_calendar_part(
    db: Database, data_paths: DataPaths, server: MailServer, account: MailAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    bob = add(db, "Bob Stone", "bob@beta.io")
    attachment = b"%PDF-1.4 Zkkq attachment marker " + bytes(range(256)) * 8000  # 2 MB
    server.append(account.inbox, answer("Bob Stone <bob@beta.io>", "Cancelled: Pilot scope",
                                        ics("CANCEL", "bob@beta.io", "ACCEPTED"),
                                        attachment=attachment))  # fmt: skip
    received = _count_received(monkeypatch)

    report = check_mail(db, account, server.password, now=NOW)
    db.close()

    assert [(x.lead_name, x.kind, x.source) for x in report.logged] == [
        ("Bob Stone", "meeting_cancelled", "calendar")
    ]
    assert sum(received) < 20_000  # headers, structure and the calendar part: never the 2 MB
    stored = b"".join(p.read_bytes() for p in Path(data_paths.root).rglob("*") if p.is_file())
    assert b"Pilot scope" in stored  # the search below can see what was written
    for marker in (DESCRIPTION, BODY_TEXT, "Zkkq"):
        assert marker.encode() not in stored
    reopened = Database.open(data_paths, NOW)
    try:
        assert meetings(reopened) == [(KEY, bob, True, START)]
        assert check_mail(reopened, account, server.password, now=NOW).logged == ()
    finally:
        reopened.close()


def _count_received(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Bytes the app's IMAP connections read from the server (literals and lines)."""
    received: list[int] = []
    read, readline = imaplib.IMAP4_SSL.read, imaplib.IMAP4_SSL.readline

    def counted_read(self: imaplib.IMAP4_SSL, size: int) -> bytes:
        data = read(self, size)
        received.append(len(data))
        return data

    def counted_line(self: imaplib.IMAP4_SSL) -> bytes:
        data = readline(self)
        received.append(len(data))
        return data

    monkeypatch.setattr(imaplib.IMAP4_SSL, "read", counted_read)
    monkeypatch.setattr(imaplib.IMAP4_SSL, "readline", counted_line)
    return received


def test_a_tentative_answer_or_one_from_a_stranger_is_plain_mail(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    dana = add(db, "Dana Reyes", "dana@acme.io")
    server.append(
        account.inbox,
        answer("dana@acme.io", "Tentative: Pilot scope", ics("REPLY", "dana@acme.io", "TENTATIVE")),
        answer("x@else.io", "Declined: Pilot scope", ics("REPLY", "dana@acme.io", "DECLINED")),
    )

    report = check_mail(db, account, server.password, now=NOW)

    # The tentative answer is read as the reply it also is; the stranger's is not read at all.
    assert [(x.kind, x.subject) for x in report.logged] == [("replied", "Tentative: Pilot scope")]
    assert meetings(db) == []
    assert [k for _, k, _, _ in timeline(db, dana)] == ["replied"]
