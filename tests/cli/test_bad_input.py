"""Bad input: one clear line on stderr, the documented exit code, and nothing written."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import CliRunner
from tests.support.readonly import read_only_folder
from tests.support.snapshot import database_rows, folder_listing

USAGE, NOT_FOUND, INVALID, STORAGE = 2, 3, 4, 5


@pytest.fixture
def seeded(cli: CliRunner, data_dir: Path) -> Path:
    """A data folder with two leads, so 'nothing written' is checked against real content."""
    assert cli("add", "Ana Silva", "--email", "ana@acme.com").code == 0
    assert cli("add", "Anna Berg", "--state", "warm").code == 0
    assert cli("log", "ana@acme.com", "sent").code == 0
    return data_dir


def assert_refused(
    cli: CliRunner, data_dir: Path, args: list[str], code: int, message: str
) -> None:
    before = (database_rows(data_dir), folder_listing(data_dir))
    result = cli(*args)
    assert result.code == code, (result.out, result.err)
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("followthrough")
    assert message in lines[0], lines[0]
    assert "Traceback" not in result.err
    assert (database_rows(data_dir), folder_listing(data_dir)) == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["add", "Bob", "--email", "bob@acme"], INVALID, "'bob@acme' is not a valid e-mail"),
        (["edit", "ana", "--email", "ana at acme"], INVALID, "is not a valid e-mail"),
        (["add", "Bob", "--state", "cold"], INVALID, "unknown state 'cold'"),
        (["add", "Bob", "--state", "won"], INVALID, "unknown state 'won' (choose hot, warm, recycle)"),
        (["move", "ana", "frozen"], INVALID, "unknown state 'frozen'"),
        (["list", "--state", "cold"], INVALID, "unknown state 'cold'"),
        (["log", "ana", "emailed"], INVALID, "unknown signal kind 'emailed'"),
        (["log", "ana", "sent", "--channel", "fax"], INVALID, "unknown channel 'fax'"),
        (["add", "Bob", "--next-step", "Call", "--due", "someday"], INVALID, "--due: cannot read 'someday'"),
        (["log", "ana", "sent", "--at", "last tuesday"], INVALID, "--at: cannot read"),
        (["move", "ana", "recycle", "--until", "2026-02-30"], INVALID, "--until: cannot read"),
        (["log", "ana", "replied", "--at", "+2d"], INVALID, "in the future"),
        (["move", "ana", "recycle"], INVALID, "needs a date to come back"),
        (["add", "Bob", "--state", "recycle"], INVALID, "needs a date to come back"),
        (["move", "ana", "recycle", "--until", "-1d"], INVALID, "must be in the future"),
        (["move", "ana", "warm", "--until", "+3d"], INVALID, "only applies to a move to recycle"),
        (["move", "ana", "lost", "--until", "+3d"], INVALID, "only applies to a move to recycle"),
        (["move", "ana", "warm", "--reason", "why"], INVALID,
         "--reason only applies to a move to recycle, won or lost"),
        (["move", "ana", "lost", "--reason", "x" * 501], INVALID, "501 characters long (at most 500)"),
        (["add", ""], INVALID, "the name is empty"),
        (["add", "   "], INVALID, "the name is empty"),
        (["add", "x" * 501], INVALID, "501 characters long (at most 500)"),
        (["edit", "ana", "--name", ""], INVALID, "the name is empty"),
        (["add", "Bob", "--due", "tomorrow"], INVALID, "a due time needs a next step"),
        (["add", "Ana Again", "--email", "ANA@Acme.com"], INVALID,
         "#1 Ana Silva already has the e-mail ana@acme.com"),
        (["edit", "anna", "--email", "Ana@ACME.COM"], INVALID, "#1 Ana Silva already has"),
        (["show", "zed"], NOT_FOUND, "no lead's name contains 'zed'"),
        (["show", "42"], NOT_FOUND, "no lead with id 42"),
        (["log", "nobody@acme.com", "sent"], NOT_FOUND, "no lead with the e-mail"),
        (["move", "an", "warm"], NOT_FOUND, "'an' matches 2 leads: #1 Ana Silva, #2 Anna Berg"),
        (["delete", "ana"], USAGE, "add --yes to confirm"),
        (["edit", "ana"], USAGE, "nothing to change"),
        (["add"], USAGE, "the following arguments are required: NAME"),
        (["launch"], USAGE, "invalid choice: 'launch'"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_one_line_and_nothing_written(
    cli: CliRunner, seeded: Path, args: list[str], code: int, message: str
) -> None:
    assert_refused(cli, seeded, args, code, message)


def test_refusals_before_the_data_folder_exists_do_not_create_it(
    cli: CliRunner, data_dir: Path
) -> None:
    assert_refused(cli, data_dir, ["add", "Bob", "--email", "bob@"], INVALID, "not a valid e-mail")
    assert not data_dir.exists()


def test_data_folder_that_is_a_file(cli: CliRunner, data_dir: Path) -> None:
    data_dir.write_text("not a folder")
    result = cli("list")
    assert result.code == STORAGE
    assert "is a file, not a folder" in result.err
    assert data_dir.read_text() == "not a folder"


def test_data_folder_under_a_file_cannot_be_created(cli: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    result = cli("--data-dir", str(blocker / "data"), "add", "Bob")
    assert result.code == STORAGE
    assert "cannot create the data folder" in result.err


@pytest.fixture
def read_only_dir(data_dir: Path) -> Iterator[Path]:
    """A folder nobody may write to, root included (root ignores mode bits: use chattr +i)."""
    data_dir.mkdir()
    with read_only_folder(data_dir) as folder:
        yield folder


def test_data_folder_that_is_not_writable(cli: CliRunner, read_only_dir: Path) -> None:
    result = cli("add", "Bob")
    assert result.code == STORAGE
    assert result.err.strip() == (
        f"followthrough: the data folder {read_only_dir} is not writable: operation not permitted"
        if os.geteuid() == 0
        else f"followthrough: the data folder {read_only_dir} is not writable: permission denied"
    )
    assert folder_listing(read_only_dir) == []


def test_database_file_that_is_not_a_database(cli: CliRunner, data_dir: Path) -> None:
    data_dir.mkdir()
    notes = data_dir / "followthrough.sqlite3"
    notes.write_bytes(b"Quarterly notes\n" * 500)
    result = cli("list")
    assert result.code == STORAGE
    assert "is damaged (not a database); nothing was changed" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert notes.read_bytes() == b"Quarterly notes\n" * 500
    assert folder_listing(data_dir) == ["followthrough.sqlite3"]


def test_database_from_a_newer_version(cli: CliRunner, seeded: Path) -> None:
    import sqlite3
    from contextlib import closing

    db_file = seeded / "followthrough.sqlite3"
    with closing(sqlite3.connect(db_file)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
        conn.commit()
    snapshot = shutil.copyfile(db_file, seeded.parent / "copy.sqlite3").read_bytes()
    result = cli("list")
    assert result.code == STORAGE
    assert "written by a newer version of Followthrough (schema 0099)" in result.err
    assert db_file.read_bytes() == snapshot


@pytest.mark.parametrize(
    "name", ["Zoë Ångström", "李小龙", "מרים כהן", "مريم الحسن", "Ana 🚀 Silva"]
)
def test_unicode_names_round_trip(cli: CliRunner, name: str) -> None:
    added = cli("add", name, "--company", name, "--json")
    assert added.code == 0, added.err
    assert added.json()["name"] == name
    assert cli("show", name[:2], "--json").json()["name"] == name
    assert name in cli("list").out


@pytest.fixture
def with_alert(cli: CliRunner, data_dir: Path) -> int:
    assert cli("add", "Dana Quiet", "--next-step", "Pilot", "--at", "-5d").code == 0
    assert cli("log", "dana", "sent", "--at", "-4d").code == 0
    [alert] = cli("due", "--json").json()
    assert alert["rule"] == "silence"
    return int(alert["id"])


def test_alert_commands_refuse_bad_input(cli: CliRunner, data_dir: Path, with_alert: int) -> None:
    cases = [
        (["done", "first"], INVALID, "'first' is not an alert id"),
        (["dismiss", "999"], NOT_FOUND, "no alert with id 999"),
        (["snooze", str(with_alert)], USAGE, "the following arguments are required: --until"),
        (
            ["snooze", str(with_alert), "--until", "-1h"],
            INVALID,
            "snooze until a time in the future",
        ),
        (["snooze", str(with_alert), "--until", "never"], INVALID, "--until: cannot read 'never'"),
    ]
    for args, code, message in cases:
        assert_refused(cli, data_dir, args, code, message)
    assert cli("done", str(with_alert)).code == 0
    assert_refused(cli, data_dir, ["dismiss", str(with_alert)], INVALID, "is already done")
