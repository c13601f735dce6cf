"""`move … won|lost --reason` keeps why; `archive` lists won and lost leads with it."""

from __future__ import annotations

import re

import pytest

from tests.cli.conftest import CliRunner


@pytest.fixture
def closed(cli: CliRunner) -> None:
    """Three leads: one lost, one won (each with a reason), one still on the board."""
    for args in (
        ["Émile Zola", "--company", "Éclair SAS", "--at", "2026-11-01"],
        ["Ana Silva", "--company", "Acme", "--at", "2026-11-01"],
        ["Bruno Berg", "--state", "warm"],
    ):
        assert cli("add", *args).code == 0
    lost = cli("move", "émile", "lost", "--reason", "  Chose a competitor ", "--at",
               "2026-11-20 15:30")  # fmt: skip
    assert (lost.code, lost.err) == (0, "")
    assert lost.out == "#1 Émile Zola (Éclair SAS) is in Lost.\n"
    won = cli(
        "move", "ana", "won", "--reason", "Signed the annual plan", "--at", "2026-11-21 09:05"
    )
    assert won.code == 0


@pytest.mark.usefixtures("closed")
def test_the_reason_for_a_lost_lead_is_kept_in_its_timeline(cli: CliRunner) -> None:
    shown = cli("show", "émile", "--json").json()
    assert shown["state"] == "lost"
    assert shown["recycle_reason"] is None  # a reason to come back is for parked leads only
    latest = shown["timeline"][0]
    assert (latest["kind"], latest["payload"]["to"], latest["note"]) == (
        "state_change",
        "lost",
        "Chose a competitor",
    )
    text = cli("show", "émile").out
    assert "moved to Lost: Chose a competitor" in text


@pytest.mark.usefixtures("closed")
def test_archive_lists_won_and_lost_newest_first_in_local_time(cli: CliRunner) -> None:
    done = cli("archive")
    assert (done.code, done.err) == (0, "")
    rows = [re.split(r"\s{2,}", line) for line in done.out.splitlines()]
    assert rows[0] == ["ID", "STATE", "NAME", "COMPANY", "SINCE", "REASON"]
    ana, emile = rows[1], rows[2]
    assert ana[:4] == ["2", "Won", "Ana Silva", "Acme"]
    assert emile[:4] == ["1", "Lost", "Émile Zola", "Éclair SAS"]
    # Typed and shown in local time (UTC would say 08:05 and 14:30); the year only if not this one.
    assert (ana[4][:10], ana[4][-5:], ana[5]) == ("Sat 21 Nov", "09:05", "Signed the annual plan")
    assert (emile[4][:10], emile[4][-5:], emile[5]) == ("Fri 20 Nov", "15:30", "Chose a competitor")
    assert rows[3] == ["1 won · 1 lost"]
    assert "Bruno Berg" not in done.out


@pytest.mark.usefixtures("closed")
def test_archive_json_gives_each_lead_with_state_date_and_reason(cli: CliRunner) -> None:
    rows = cli("archive", "--json").json()
    assert [(r["id"], r["name"], r["state"], r["reason"]) for r in rows] == [
        (2, "Ana Silva", "won", "Signed the annual plan"),
        (1, "Émile Zola", "lost", "Chose a competitor"),
    ]
    # Local time with its offset: Paris is UTC+1 in November.
    assert rows[1]["state_since"] == "2026-11-20T15:30:00+01:00"
    assert rows[1]["company"] == "Éclair SAS"


@pytest.mark.usefixtures("closed")
def test_archive_search_matches_any_letter_case(cli: CliRunner) -> None:
    found = cli("archive", "--search", "ÉCLAIR", "--json").json()
    assert [r["name"] for r in found] == ["Émile Zola"]
    text = cli("archive", "--search", "éclair").out
    assert text.splitlines()[-1] == "0 won · 1 lost"
    nothing = cli("archive", "--search", "bruno")  # on the board, so not in the archive
    assert (nothing.code, nothing.out) == (0, "No won or lost lead matches.\n")


def test_an_empty_archive_says_so(cli: CliRunner) -> None:
    assert cli("add", "Ana Silva").code == 0
    assert cli("archive").out == "Nothing won or lost yet.\n"
    assert cli("archive", "--json").json() == []


def test_won_takes_a_reason_and_reopening_needs_none(cli: CliRunner) -> None:
    assert cli("add", "Ana Silva").code == 0
    assert cli("move", "ana", "won", "--reason", "Paid the invoice").code == 0
    assert cli("archive", "--json").json()[0]["reason"] == "Paid the invoice"
    back = cli("move", "ana", "warm")
    assert (back.code, back.out) == (0, "#1 Ana Silva is in Warm.\n")
    assert cli("archive", "--json").json() == []
