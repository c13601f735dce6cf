"""Automatic signals taken back ("Not this lead") and leads kept out of matching, against the
mail watch and a real Dovecot: what was matched says so, and a wrong match is not made again."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from followthrough.domain.mailaccount import MailAccount
from followthrough.domain.provenance import SignalSource
from followthrough.domain.signals import SignalKind
from followthrough.errors import InvalidData, NotFound
from followthrough.services import lead_queries, leads
from followthrough.services.mailwatch import check_mail
from followthrough.services.matching import Unmatched, not_this_lead, set_auto_signals
from followthrough.services.timeline import lead_timeline
from followthrough.services.undo import record_change, restore_snapshot
from followthrough.store.db import Database
from followthrough.store.models import Event, MatchSkip
from tests.conftest import NOW
from tests.services.test_mailwatch import add, reply
from tests.support.mailserver import MailServer

_numbers = itertools.count(1)


@pytest.fixture
def account(server: MailServer) -> MailAccount:
    """Folders of this module's own on the shared server (test_mailwatch.py has its own)."""
    n = next(_numbers)
    inbox, sent = f"match-in{n}", f"match-out{n}"
    server.append(inbox)
    server.append(sent)
    return server.account(inbox=inbox, sent=sent)


def mail_events(db: Database, lead_id: int) -> list[tuple[int, str, dict[str, Any]]]:
    with db.read() as session:
        found = session.exec(
            select(Event)
            .where(Event.lead_id == lead_id, col(Event.kind) != "state_change")
            .order_by(col(Event.id))
        )
        return [(e.id or 0, e.kind, dict(e.payload)) for e in found]


def skips(db: Database) -> list[tuple[str, int]]:
    with db.read() as session:
        return [(s.match, s.lead_id) for s in session.exec(select(MatchSkip))]


def test_a_matched_reply_says_so_and_not_this_lead_takes_it_back_for_good(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    ana = add(db, "Ana", "sales@acme.io")  # a shared mailbox: not every message is Ana's
    server.append(account.inbox, reply("Sales <Sales@Acme.io>", "Re: Quote", hours_ago=3))
    check_mail(db, account, server.password, now=NOW)

    [(event_id, kind, payload)] = mail_events(db, ana)
    assert (kind, payload["source"], payload["match"]) == ("replied", "mail", "mail:sales@acme.io")
    [item] = [i for i in lead_timeline(db, ana, NOW).entries if i.event_id == event_id]
    assert (item.source, item.source.label) == (SignalSource.MAIL, "from mail")
    assert lead_queries.get_lead(db, ana, NOW).lead.last_inbound_at is not None

    taken = not_this_lead(db, event_id, NOW)

    assert taken == Unmatched(ana, "replied", "mail:sales@acme.io")
    assert mail_events(db, ana) == []
    assert lead_queries.get_lead(db, ana, NOW).lead.last_inbound_at is None
    assert skips(db) == [("mail:sales@acme.io", ana)]
    # The next message from that address is not Ana's either; another lead still matches.
    add(db, "Bob", "bob@beta.io")
    server.append(
        account.inbox, reply("sales@acme.io", "Re: Other deal"), reply("bob@beta.io", "Hi")
    )
    report = check_mail(db, account, server.password, now=NOW)
    assert [(x.lead_name, x.subject) for x in report.logged] == [("Bob", "Hi")]
    assert mail_events(db, ana) == []


def test_a_typed_signal_is_not_taken_back_as_a_wrong_match(db: Database) -> None:
    ana = add(db, "Ana", "ana@acme.io")
    typed = leads.log_event(db, ana, SignalKind.CALL, at=NOW - timedelta(hours=1), now=NOW)
    with pytest.raises(InvalidData, match="logged by hand"):
        not_this_lead(db, typed.id, NOW)
    with pytest.raises(NotFound):
        not_this_lead(db, typed.id + 1000, NOW)
    assert [kind for _, kind, _ in mail_events(db, ana)] == ["call"]


def test_undoing_not_this_lead_brings_the_signal_back_and_matches_again(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    ana = add(db, "Ana", "ana@acme.io")
    server.append(account.inbox, reply("ana@acme.io", "Re: Quote", hours_ago=2))
    check_mail(db, account, server.password, now=NOW)
    [(event_id, _, _)] = mail_events(db, ana)

    before, after = record_change(db, ana, lambda d: not_this_lead(d, event_id, NOW).lead_id)
    assert skips(db) == [("mail:ana@acme.io", ana)]
    restore_snapshot(db, before, after, NOW)

    assert [(i, k) for i, k, _ in mail_events(db, ana)] == [(event_id, "replied")]
    assert skips(db) == []
    server.append(account.inbox, reply("ana@acme.io", "Re: Again"))
    assert [x.subject for x in check_mail(db, account, server.password, now=NOW).logged] == [
        "Re: Again"
    ]


def test_a_lead_kept_out_of_automatic_matching_is_left_alone_until_let_back_in(
    db: Database, server: MailServer, account: MailAccount
) -> None:
    bob = add(db, "Bob", "bob@beta.io")
    set_auto_signals(db, bob, False, NOW)
    server.append(account.inbox, reply("bob@beta.io", "Re: 1"))
    assert check_mail(db, account, server.password, now=NOW).logged == ()
    assert mail_events(db, bob) == []

    set_auto_signals(db, bob, True, NOW)
    server.append(account.inbox, reply("bob@beta.io", "Re: 2"))
    assert [x.subject for x in check_mail(db, account, server.password, now=NOW).logged] == [
        "Re: 2"
    ]
