"""`followthrough signals`: a signal matched by the app is marked in `show`, taken back with
`not-this-lead`, and a lead can be kept out of automatic matching."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.paths import prepare_data_dir
from followthrough.services.clock import utcnow
from followthrough.services.signal_log import SignalEntry, log_signals
from followthrough.store.db import Database
from tests.cli.conftest import CliRunner


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
