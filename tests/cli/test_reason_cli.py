"""`move … --category` keeps why a lead left in a word; `reason LEAD CATEGORY` changes it."""

from __future__ import annotations

import pytest

from tests.cli.conftest import CliRunner


@pytest.fixture
def two(cli: CliRunner) -> None:
    assert cli("add", "Ana Silva", "--company", "Acme").code == 0
    assert cli("add", "Bo Chen", "--state", "warm").code == 0


def stored_category(cli: CliRunner, lead: str) -> object:
    """The category as the timeline keeps it, on the lead's latest move."""
    latest = cli("show", lead, "--json").json()["timeline"][0]
    assert latest["kind"] == "state_change"
    return latest["payload"]["category"]


@pytest.mark.usefixtures("two")
def test_a_move_to_lost_keeps_the_category_given(cli: CliRunner) -> None:
    moved = cli("move", "ana", "lost", "--category", "fit", "--json")
    assert (moved.code, moved.err) == (0, "")
    assert moved.json()["state"] == "lost"
    assert moved.json()["reason_category"] == "fit"
    assert stored_category(cli, "ana") == "fit"


@pytest.mark.usefixtures("two")
def test_without_a_category_the_usual_one_is_kept_and_words_are_accepted(cli: CliRunner) -> None:
    lost = cli("move", "ana", "lost")
    assert (lost.code, lost.out, lost.err) == (0, "#1 Ana Silva (Acme) is in Lost.\n", "")
    assert stored_category(cli, "ana") == "no_decision"
    parked = cli("move", "bo", "recycle", "--until", "+2w", "--category", "No decision", "--json")
    assert parked.code == 0
    assert parked.json()["reason_category"] == "no_decision"


@pytest.mark.usefixtures("two")
@pytest.mark.parametrize("state", ["hot", "warm", "won"])
def test_a_category_on_any_other_move_is_refused_in_one_line(cli: CliRunner, state: str) -> None:
    refused = cli("move", "bo", state, "--category", "fit")
    assert refused.code == 4
    assert refused.out == ""
    assert refused.err == ("followthrough: --category only applies to a move to recycle or lost\n")
    assert cli("show", "bo", "--json").json()["state"] == "warm"  # nothing moved


@pytest.mark.usefixtures("two")
def test_an_unknown_category_names_the_choices(cli: CliRunner) -> None:
    refused = cli("move", "ana", "lost", "--category", "budget")
    assert refused.code == 4
    assert refused.err == (
        "followthrough: unknown reason category 'budget' (choose timing, fit, price, "
        "competitor, no_decision, went_silent, other)\n"
    )
    assert cli("show", "ana", "--json").json()["state"] == "hot"


@pytest.mark.usefixtures("two")
def test_reason_changes_the_category_afterwards(cli: CliRunner) -> None:
    assert cli("move", "ana", "lost", "--category", "fit").code == 0
    changed = cli("reason", "ana", "price")
    assert (changed.code, changed.err) == (0, "")
    assert changed.out == "#1 Ana Silva (Acme) is in Lost; reason: Price.\n"
    assert stored_category(cli, "ana") == "price"
    as_json = cli("reason", "ana", "went-silent", "--json")
    assert as_json.json()["reason_category"] == "went_silent"
    assert stored_category(cli, "ana") == "went_silent"


@pytest.mark.usefixtures("two")
def test_reason_on_a_lead_still_on_the_board_fails_in_one_line(cli: CliRunner) -> None:
    refused = cli("reason", "ana", "price")
    assert refused.code == 4
    assert refused.out == ""
    assert refused.err == (
        "followthrough: Ana Silva is Hot: a reason category belongs to a lead that is Lost "
        "or parked in Recycle\n"
    )
    assert "Traceback" not in refused.err
