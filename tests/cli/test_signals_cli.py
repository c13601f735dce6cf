"""`followthrough signals`: a signal matched by the app is marked in `show`, taken back with
`not-this-lead`, and a lead can be kept out of automatic matching."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.paths import prepare_data_dir
from followthrough.services.clock import utcnow
from followthrough.services.signal_log import SignalEntry, log_signals
from followthrough.store.db import Database
from tests.cli.conftest import CliRunner
from tests.support.mailserver import MailServer, message


def matched_reply(data_dir: Path, lead_id: int) -> int:
    """A reply as the mail watch logs one: from the mailbox, with what matched the lead."""
    db = Database.open(prepare_data_dir(data_dir))
    try:
        now = utcnow()
        payload = {"source": "mail", "folder": "INBOX", "match": "mail:sales@acme.io"}
        entry = SignalEntry(lead_id, SignalKind.REPLIED, now - timedelta(hours=1), Direction.IN,
                            Channel.EMAIL, "Re: Quote", payload)  # fmt: skip
        with db.write() as session:
            log_signals(session, [entry], now)
    finally:
        db.close()
    return lead_id


def test_a_matched_reply_is_marked_and_taken_back(cli: CliRunner, data_dir: Path) -> None:
    assert cli("add", "Ana Silva", "--email", "sales@acme.io").code == 0
    matched_reply(data_dir, 1)
    shown = cli("show", "ana")
    [line] = [line for line in shown.out.splitlines() if "replied" in line]
    event_id = int(line.rsplit("event ", 1)[1].split("]")[0])
    assert "[from mail, event" in line
    events = cli("show", "ana", "--json").json()["timeline"]
    assert [(e["kind"], e["source"]) for e in events if e["id"] == event_id] == [
        ("replied", "mail")
    ]

    taken = cli("signals", "not-this-lead", str(event_id))
    assert taken.code == 0, taken.err
    assert taken.out == (
        "Took back “Replied” logged for #1 Ana Silva; sales@acme.io will not match "
        "#1 Ana Silva again.\n"
    )
    assert "replied" not in cli("show", "ana").out
    again = cli("signals", "not-this-lead", str(event_id))
    assert (again.code, again.err) == (3, f"followthrough: no event with id {event_id}\n")


def test_a_typed_signal_and_a_bad_switch_are_refused_in_one_line(cli: CliRunner) -> None:
    assert cli("add", "Ana Silva").code == 0
    assert cli("log", "ana", "call").code == 0
    call_id = max(e["id"] for e in cli("show", "ana", "--json").json()["timeline"])
    refused = cli("signals", "not-this-lead", str(call_id))
    assert refused.code == 4
    assert refused.err == (
        "followthrough: that was logged by hand, not matched automatically: nothing to take back\n"
    )
    assert (
        cli("signals", "auto", "ana", "maybe").err == "followthrough: say on or off, not 'maybe'\n"
    )
    off = cli("signals", "auto", "ana", "off", "--json")
    assert (off.code, off.json()["auto_signals"]) == (0, False)
    assert cli("signals", "auto", "ana", "on").out == (
        "The mailbox, the calendar and mail rules may log signals for #1 Ana Silva.\n"
    )


def test_the_rules_are_listed_tried_and_edited(cli: CliRunner) -> None:
    assert cli("add", "Dana Reyes", "--email", "dana@acme.io").code == 0
    listed = cli("signals", "rules", "--json").json()["rules"]
    assert {"name": "DocSend: viewed", "sender": "@docsend.com", "pattern": "{name} viewed {title}",
            "kind": "proposal_viewed", "enabled": True} in listed  # fmt: skip
    text = cli("signals", "rules").out
    assert text.splitlines()[0].split() == ["NAME", "SENDER", "PATTERN", "KIND", "ON"]
    assert "Calendly: new event" in text

    tried = cli("signals", "test", "dana reyes viewed Proposal", "--from", "no-reply@docsend.com")
    assert (tried.code, tried.out) == (
        0, "The rule “DocSend: viewed” would log proposal viewed for Dana Reyes.\n"
    )  # fmt: skip
    by_reply = cli("signals", "test", "Someone viewed Plan", "--from", "hi@qwilr.com",
                   "--reply-to", "DANA@acme.io", "--json").json()  # fmt: skip
    assert (by_reply["lead"], by_reply["kind"], by_reply["match"], by_reply["logs"]) == (
        "Dana Reyes", "proposal_viewed", "mail_rule:@qwilr.com:dana@acme.io", True
    )  # fmt: skip
    nobody = cli("signals", "test", "Sam viewed Plan", "--from", "no-reply@docsend.com")
    assert nobody.code == 0
    assert nobody.out == (
        "The rule “DocSend: viewed” matches (proposal viewed), but nothing would be logged: "
        "no lead is named Sam, and no lead has the sender's address.\n"
    )
    stranger = cli("signals", "test", "Hello", "--from", "ana@else.io")
    assert (
        stranger.out == "Nothing would be logged: no enabled rule is for mail from ana@else.io.\n"
    )

    assert cli("signals", "rules", "disable", "docsend: viewed").code == 0
    off = cli("signals", "test", "Dana Reyes viewed Plan", "--from", "no-reply@docsend.com")
    assert "no enabled rule for mail from no-reply@docsend.com matches" in off.out
    added = cli("signals", "rules", "add", "Deck opens", "--sender", "decks.example.com",
                "--pattern", "{company}: deck opened", "--kind", "link clicked")  # fmt: skip
    assert added.code == 0, added.err
    assert cli("signals", "rules", "--json").json()["rules"][-1] == {
        "name": "Deck opens", "sender": "@decks.example.com", "pattern": "{company}: deck opened",
        "kind": "link_clicked", "enabled": True,
    }  # fmt: skip
    # --json before the action or after it: the same JSON.
    before = cli("signals", "rules", "--json", "disable", "Deck opens").json()["rules"]
    after = cli("signals", "rules", "enable", "Deck opens", "--json").json()["rules"]
    assert (before[-1]["enabled"], after[-1]["enabled"]) == (False, True)
    assert cli("signals", "rules", "remove", "Deck opens").code == 0
    assert cli("signals", "rules", "reset").out.startswith("Back to the 16 rules")
    assert cli("signals", "rules", "--json").json()["rules"] == listed


def test_bad_rules_and_addresses_are_one_line_on_stderr(cli: CliRunner) -> None:
    cases = [
        (("signals", "test", "Hi", "--from", "not an address"), 4),
        (("signals", "test", "Hi", "--from", "a@b.io", "--reply-to", "b@"), 4),
        (
            (
                "signals",
                "rules",
                "add",
                "X",
                "--sender",
                "@docsend.com",
                "--pattern",
                "{nmae} x",
                "--kind",
                "proposal_viewed",
            ),
            4,
        ),
        (
            (
                "signals",
                "rules",
                "add",
                "X",
                "--sender",
                "docsend",
                "--pattern",
                "{name} x",
                "--kind",
                "proposal_viewed",
            ),
            4,
        ),
        (
            (
                "signals",
                "rules",
                "add",
                "X",
                "--sender",
                "@a.io",
                "--pattern",
                "{name} x",
                "--kind",
                "sent",
            ),
            4,
        ),
        (
            (
                "signals",
                "rules",
                "add",
                "DocSend: viewed",
                "--sender",
                "@a.io",
                "--pattern",
                "{name} x",
                "--kind",
                "note",
            ),
            4,
        ),
        (("signals", "rules", "remove", "No such rule"), 3),
    ]
    for args, code in cases:
        result = cli(*args)
        assert (result.code, result.out) == (code, ""), args
        assert result.err.startswith("followthrough: "), args
        assert result.err.count("\n") == 1, result.err
    assert len(cli("signals", "rules", "--json").json()["rules"]) == 16  # nothing was kept


def test_mail_check_prints_what_a_rule_logged(
    cli: CliRunner, server: MailServer, keyring_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("add", "Dana Reyes", "--email", "dana@acme.io", "--at", "-3d").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(server.password + "\n"))
    folder = "signals-cli"
    server.append(folder)
    server.append("Sent")
    setup = cli("mail", "set-account", "--host", server.host, "--user", server.user,
                "--security", "starttls", "--port", str(server.plain_port),
                "--ca-file", str(server.cafile), "--inbox", folder)  # fmt: skip
    assert setup.code == 0, setup.err
    sent_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    server.append(folder, message("DocSend <no-reply@docsend.com>", server.user,
                                  "Dana Reyes viewed Proposal", date=sent_at))  # fmt: skip

    checked = cli("mail", "check", "--json")

    assert checked.code == 0, checked.err
    assert [(e["lead"], e["kind"], e["source"], e["rule"]) for e in checked.json()["logged"]] == [
        ("Dana Reyes", "proposal_viewed", "mail_rule", "DocSend: viewed")
    ]
    shown = cli("show", "dana", "--json").json()["timeline"]
    assert [(e["kind"], e["source"]) for e in shown if e["kind"] == "proposal_viewed"] == [
        ("proposal_viewed", "mail_rule")
    ]
    assert "from a mail rule" in cli("show", "dana").out
