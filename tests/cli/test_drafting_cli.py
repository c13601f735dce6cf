"""Drafting from the command line: a draft for every kind of alert, each clean by the lint."""

from __future__ import annotations

from pathlib import Path

from followthrough.domain.alerts import AlertKind
from followthrough.paths import prepare_data_dir
from followthrough.services.sample import load_sample
from followthrough.store.db import Database
from tests.cli.conftest import CliRunner


def test_every_kind_of_alert_gets_a_clean_draft(cli: CliRunner, data_dir: Path) -> None:
    db = Database.open(prepare_data_dir(data_dir))
    try:
        load_sample(db)
    finally:
        db.close()
    due = cli("due", "--json")
    assert due.code == 0, due.err
    raised = due.json()
    assert {a["kind"] for a in raised} == {kind.value for kind in AlertKind}
    for alert in raised:
        result = cli("draft", str(alert["lead_id"]), "--alert", str(alert["id"]), "--json")
        assert result.code == 0, result.err
        draft = result.json()
        assert set(draft) == {"subject", "body", "template", "intent", "findings"}
        assert draft["body"].strip()
        assert draft["findings"] == [], (alert["rule"], draft)
        assert draft["intent"] in ("advance", "clarify", "close_loop")
        # The draft speaks to this buyer: their first name is in it.
        assert alert["lead_name"].split()[0] in draft["body"]


def test_draft_without_an_alert_and_with_a_chosen_template(cli: CliRunner) -> None:
    assert cli("add", "Ana Silva", "--company", "Acme", "--next-step", "Pilot call").code == 0
    listed = cli("templates", "list", "--json")
    assert listed.code == 0, listed.err
    slugs = [t["slug"] for t in listed.json()]
    assert len(slugs) >= 15
    assert all({"slug", "title", "intent", "decision"} <= set(t) for t in listed.json())
    plain = cli("draft", "ana")
    assert plain.code == 0, plain.err
    assert "Ana" in plain.out
    chosen = cli("draft", "ana", "--template", slugs[-1], "--json")
    assert chosen.code == 0, chosen.err
    assert chosen.json()["template"] == slugs[-1]
    missing = cli("draft", "ana", "--template", "no-such-template")
    assert missing.code == 3
    assert missing.err.startswith("followthrough: ")
    assert cli("draft", "ana", "--alert", "x1").code == 4


def test_templates_lint_exits_1_on_findings_and_0_when_clean(
    cli: CliRunner, tmp_path: Path
) -> None:
    nagging = tmp_path / "nagging.txt"
    nagging.write_text("Hi Ana,\n\nJust checking in — did you get my last email?\n\nSam\n")
    found = cli("templates", "lint", str(nagging), "--json")
    assert found.code == 1
    assert {"filler", "pressure"} <= {f["code"] for f in found.json()}
    clean = tmp_path / "clean.txt"
    clean.write_text(
        "Subject: Pilot start\n\nHi Ana,\n\nShall we start the pilot on Monday 7 Dec at 10:00?\n\n"
        "Sam\n"
    )
    assert cli("templates", "lint", str(clean)).code == 0
    for slug in [t["slug"] for t in cli("templates", "list", "--json").json()]:
        result = cli("templates", "lint", slug)
        assert result.code == 0, result.out
    broken = tmp_path / "broken.tmpl"
    broken.write_text("slug: broken\ntitle: Broken\nintent: push\n---\nSubject: x\n\nHi\n")
    refused = cli("templates", "lint", str(broken))
    assert refused.code == 4
    assert "line 3" in refused.err


def test_a_retired_template_is_no_longer_drafted_until_brought_back(cli: CliRunner) -> None:
    assert cli("add", "Ana Silva", "--company", "Acme", "--next-step", "Pilot call").code == 0
    usual = cli("draft", "ana", "--json").json()["template"]

    retired = cli("templates", "retire", usual)
    assert retired.code == 0, retired.err
    assert retired.out == f"Retired {usual}: drafts no longer offer it.\n"
    listed = {t["slug"]: t["retired"] for t in cli("templates", "list", "--json").json()}
    assert [slug for slug, gone in listed.items() if gone] == [usual]
    assert f"{usual}" in next(
        line for line in cli("templates", "list").out.splitlines() if "(retired)" in line
    )
    assert cli("draft", "ana", "--json").json()["template"] != usual

    assert cli("templates", "bring-back", usual).code == 0
    assert cli("draft", "ana", "--json").json()["template"] == usual
    assert not any(t["retired"] for t in cli("templates", "list", "--json").json())

    unknown = cli("templates", "retire", "no-such-template")
    assert (unknown.code, unknown.err) == (
        3,
        "followthrough: no template named 'no-such-template'\n",
    )
