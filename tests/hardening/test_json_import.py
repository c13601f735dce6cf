"""A JSON export goes in only through the rules every other face obeys.

Each case takes a real export of a real pipeline, breaks one field of one record the way a
hand edit or a hostile file would, and imports it into an empty folder: the command refuses
with one line naming the record and the field, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import CliRunner
from tests.cli.test_bad_input import INVALID
from tests.support.snapshot import database_rows, folder_listing

Export = dict[str, Any]


@pytest.fixture
def export(cli: CliRunner, data_dir: Path, tmp_path: Path) -> Export:
    assert cli("add", "Ana Silva", "--email", "ana@acme.com", "--tag", "pilot").code == 0
    assert cli("add", "Bo Chen", "--state", "warm", "--next-step", "Call", "--due", "+2d").code == 0
    assert cli("log", "ana", "sent", "--note", "Pilot plan").code == 0
    assert cli("policy", "--set", "hot_silence_days=3").code == 0
    target = tmp_path / "export.json"
    assert cli("export", "--format", "json", "--output", str(target)).code == 0
    data: Export = json.loads(target.read_text())
    assert data["leads"]
    assert data["events"]
    assert data["settings"]
    return data


def _lead(field: str, value: Any) -> Callable[[Export], None]:
    return lambda data: data["leads"][0].__setitem__(field, value)


def _event(field: str, value: Any) -> Callable[[Export], None]:
    return lambda data: data["events"][0].__setitem__(field, value)


def _setting(key: str, value: Any) -> Callable[[Export], None]:
    def change(data: Export) -> None:
        found = [s for s in data["settings"] if s["key"] == key]
        if found:
            found[0]["value"] = value
        else:
            data["settings"].append({"key": key, "value": value,
                                     "updated_at": data["settings"][0]["updated_at"]})  # fmt: skip

    return change


def _alert(field: str, value: Any) -> Callable[[Export], None]:
    def change(data: Export) -> None:
        record = {
            "id": 1, "lead_id": data["leads"][0]["id"], "rule": "silence_hot", "kind": "silence",
            "reason": "quiet", "episode": "", "intent": None, "template_slug": None,
            "status": "open", "snoozed_until": None, "raised_at": data["leads"][0]["created_at"],
            "due_at": None, "notified_at": None, "resolved_at": None, "outcome": None,
            "outcome_at": None,
        }  # fmt: skip
        record[field] = value
        data["alerts"].append(record)

    return change


def _template(body: str) -> Callable[[Export], None]:
    def change(data: Export) -> None:
        stamp = data["leads"][0]["created_at"]
        data["templates"].append({
            "id": 900, "slug": "mine", "title": "Mine", "intent": "advance", "decision": "meeting",
            "states": [], "triggers": [], "channel": "email", "subject": "Hello",
            "body": body, "builtin": False, "created_at": stamp, "updated_at": stamp,
        })  # fmt: skip

    return change


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"x": value}
    return value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_lead("state", "cold"), "leads record 1 (id 1) 'state': 'cold' is not a known state"),
        (_lead("email", "bob@acme"), "'email': 'bob@acme' is not a valid e-mail address"),
        (_lead("name", "Ana\x1b[2J"), "'name': the name contains a control character (U+001B)"),
        (_lead("company", "Acme\u202e"), "'company': the company contains a text-direction control"),
        (_lead("name", "x" * 501), "the name is 501 characters long (at most 500)"),
        (_lead("tags", "pilot"), "'tags': the tags must be a list of texts"),
        (_lead("tags", ["vip\x07"]), "the tag contains a control character (U+0007)"),
        (_lead("state_since", "0001-01-01T00:00:00+00:00"), "a date must fall between 1970 and 2199"),
        (_lead("id", 2**63), "'id': the id 9223372036854775808 is out of range"),
        (_lead("unanswered", -4), "-4 unanswered touches is out of range"),
        (_event("kind", "teleport"), "events record 1 (id 1) 'kind': 'teleport' is not a known kind of event"),
        (_event("direction", "sideways"), "'direction': 'sideways' is not a known direction"),
        (_event("text", "hi\x00"), "'text': the text contains a control character (U+0000)"),
        (_event("payload", _nested(40)), "'payload': the value is nested more than 20 levels deep"),
        (_alert("status", "forgotten"), "alerts record 1 (id 1) 'status': 'forgotten' is not a known alert status"),
        (_alert("kind", "panic"), "'kind': 'panic' is not a known kind of alert"),
        (_setting("policy", {"hot_silence_days": "nan"}), "the setting hot_silence_days must be a number"),
        (_setting("policy", {"stall_hours": 1e20}), "the setting stall_hours must be from 0.01 to 9999"),
        (_setting("preferences", {"notifications": "yes"}), "the setting notifications must be true or false"),
        (_setting("backups", {"keep_daily": 10**9}), "keep between"),
        (_setting("mail.watch", {"INBOX": {"uidvalidity": -1, "last_uid": 3}}), "out of range"),
        (_setting("telemetry", {"on": True}), "'telemetry' is not a setting this version knows"),
        (_template("Hi {{ lead.nmae }}"), "templates record"),
        (_template("{{ 'x'.ljust(1000000000) }}"), "templates record"),
    ],
)  # fmt: skip
def test_a_record_breaking_a_rule_refuses_the_whole_file(
    cli: CliRunner,
    export: Export,
    tmp_path: Path,
    change: Callable[[Export], None],
    message: str,
) -> None:
    change(export)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(export))
    target = tmp_path / "empty"
    assert cli("--data-dir", str(target), "list").code == 0  # an empty data folder
    before = (database_rows(target), folder_listing(target))
    result = cli("--data-dir", str(target), "import", str(broken))
    assert result.code == INVALID, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert message in lines[0], lines[0]
    assert lines[0].endswith("nothing was imported"), lines[0]
    assert "Traceback" not in result.err
    assert (database_rows(target), folder_listing(target)) == before


def test_derived_keys_are_computed_again(cli: CliRunner, export: Export, tmp_path: Path) -> None:
    export["leads"][0]["email_key"] = "someone-else@example.org"
    export["leads"][0]["search_key"] = "nothing to find"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(export))
    target = tmp_path / "fresh"
    assert cli("--data-dir", str(target), "import", str(edited)).code == 0
    assert "Ana Silva" in cli("--data-dir", str(target), "show", "ANA@acme.com").out
    assert "Ana Silva" in cli("--data-dir", str(target), "list", "--search", "pilot").out


def test_brackets_nested_beyond_any_export_are_refused(cli: CliRunner, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = cli("--data-dir", str(tmp_path / "empty"), "import", str(deep))
    assert result.code == INVALID
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
