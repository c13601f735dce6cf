"""A realistic October replayed through the CLI with --at: exactly the alerts a person expects.

October 2026 in Paris, across the end of summer time (25 Oct).
"""

from __future__ import annotations

from typing import Any

from tests.cli.conftest import CliRunner


def ok(cli: CliRunner, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.code == 0, result.err
    return result.json()


def due(cli: CliRunner, at: str) -> list[tuple[str, str, str]]:
    return [(a["lead_name"], a["rule"], a["reason"]) for a in ok(cli, "due", "--at", at)]


def test_a_month_of_follow_up(cli: CliRunner) -> None:
    ok(cli, "add", "Ana Silva", "--company", "Acme", "--next-step", "Send the proposal",
       "--due", "2026-10-02 12:00", "--at", "2026-10-01")  # fmt: skip
    ok(cli, "add", "Bruno Dubois", "--company", "Globex", "--state", "warm", "--at", "2026-10-01")
    ok(cli, "add", "Chloé Martin", "--state", "recycle", "--until", "2026-10-20",
       "--reason", "Budget in Q4", "--at", "2026-10-01")  # fmt: skip

    # Bruno came in without a next step: a stall point the next day.
    assert due(cli, "2026-10-02 10:00") == [
        ("Bruno Dubois", "stall",
         "No next step agreed 24 hours after the last exchange on 1 Oct: propose one."),
    ]  # fmt: skip

    # Ana gets the proposal and a review call in the diary; then two days of silence.
    ok(cli, "log", "ana", "proposal_sent", "--at", "2026-10-02 11:00")
    ok(cli, "edit", "ana", "--next-step", "Review call", "--due", "2026-10-09 15:00")
    assert due(cli, "2026-10-04 12:00") == [
        ("Ana Silva", "silence", "No reply for 2 days since you sent the proposal on 2 Oct."),
        ("Bruno Dubois", "stall",
         "No next step agreed 24 hours after the last exchange on 1 Oct: propose one."),
    ]  # fmt: skip

    # Ana opens the proposal twice: her silence is over, a question is forming.
    ok(cli, "log", "ana", "proposal_viewed", "--at", "2026-10-05 09:00")
    ok(cli, "log", "ana", "proposal_viewed", "--at", "2026-10-06 20:00")
    ok(cli, "edit", "bruno", "--next-step", "Call about the pilot", "--due", "2026-10-08 10:00")
    assert due(cli, "2026-10-07 09:00") == [
        ("Ana Silva", "proposal_views",
         "The proposal was opened 2 times since 5 Oct with no reply: something in it needs an "
         "answer."),
    ]  # fmt: skip

    # Ana replies; Bruno misses the pilot call.
    ok(cli, "log", "ana", "replied", "--at", "2026-10-07 10:00")
    ok(cli, "log", "bruno", "meeting_missed", "--at", "2026-10-08 10:15")
    alerts = ok(cli, "due", "--at", "2026-10-08 11:00")
    assert [(a["lead_name"], a["rule"]) for a in alerts] == [
        ("Bruno Dubois", "meeting_missed"), ("Bruno Dubois", "due"),
    ]  # fmt: skip
    assert alerts[0]["reason"] == "The meeting on 8 Oct was missed: offer two new times."
    done = ok(cli, "done", str(alerts[0]["id"]), "--at", "2026-10-08 12:00")
    assert done["status"] == "done"
    snoozed = ok(cli, "snooze", str(alerts[1]["id"]), "--until", "2026-10-13 09:00",
                 "--at", "2026-10-08 12:00")  # fmt: skip
    assert snoozed["status"] == "snoozed"

    # Pricing comes up on the review call, then nothing.
    ok(cli, "log", "ana", "pricing_discussed", "--at", "2026-10-09 15:30")
    assert due(cli, "2026-10-11 16:00") == [
        ("Ana Silva", "pricing_silence",
         "Pricing came up on 9 Oct, then 48 hours of silence: price is likely the hesitation."),
        ("Ana Silva", "due", "The next step “Review call” was due on 9 Oct."),
    ]  # fmt: skip

    # Bruno gets three unanswered e-mails: the app stops nudging and proposes closing the loop.
    for day in ("2026-10-12 09:00", "2026-10-18 09:00", "2026-10-24 09:00"):
        ok(cli, "log", "bruno", "sent", "--at", day)
    final = due(cli, "2026-10-26 09:00")
    assert final == [
        ("Ana Silva", "pricing_silence",
         "Pricing came up on 9 Oct, then 48 hours of silence: price is likely the hesitation."),
        ("Ana Silva", "engagement_drop",
         "3 exchanges in the two weeks to 7 Oct, none in the 7 days since: ask what changed."),
        ("Bruno Dubois", "due", "The next step “Call about the pilot” was due on 8 Oct."),
        ("Ana Silva", "due", "The next step “Review call” was due on 9 Oct."),
        ("Bruno Dubois", "guard",
         "3 touches since 12 Oct without an answer: close the loop and park the lead with a date "
         "to come back."),
        ("Chloé Martin", "reactivate",
         "Parked on 1 Oct (Budget in Q4) until 20 Oct: time to come back with something new."),
    ]  # fmt: skip

    # Ticking again at the same moment adds nothing; the board shows the open alerts.
    assert due(cli, "2026-10-26 09:00") == final
    board = {lead["name"]: lead for lead in ok(cli, "list")}
    assert board["Ana Silva"]["open_alerts"] == 3
    assert board["Bruno Dubois"]["open_alerts"] == 2
    assert board["Chloé Martin"]["momentum"] is None
    history = ok(cli, "alerts", "--all")
    assert {(a["rule"], a["status"]) for a in history if a["lead_name"] == "Ana Silva"} >= {
        ("silence", "cleared"), ("proposal_views", "cleared"),
    }  # fmt: skip
    text = cli("alerts").out
    assert "close loop" in text
    assert "Chloé Martin · reactivate" in text
