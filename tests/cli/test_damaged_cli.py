"""A damaged database on the command line: one line naming the backup, and nothing written."""

from __future__ import annotations

import shlex
from pathlib import Path

from tests.cli.conftest import CliRunner


def test_garbage_database_is_reported_with_the_restore_command(
    cli: CliRunner, data_dir: Path
) -> None:
    assert cli("add", "Ana Silva").code == 0
    backup = Path(cli("backup", "--json").json()["path"])
    database = data_dir / "followthrough.sqlite3"
    database.write_bytes(b"scrambled" * 1000)
    result = cli("list")
    assert result.code == 5
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith(f"followthrough: the database in {data_dir} is damaged")
    restore = f"followthrough --data-dir {shlex.quote(str(data_dir))} restore {backup}"
    assert result.err.rstrip().endswith(restore)
    assert database.read_bytes() == b"scrambled" * 1000
    again = cli(*shlex.split(restore)[3:])  # the suggested command, as typed
    assert again.code == 0, again.err
    assert [lead["name"] for lead in cli("list", "--json").json()] == ["Ana Silva"]


def test_a_truncated_database_without_backups_points_to_the_doctor(
    cli: CliRunner, data_dir: Path
) -> None:
    for number in range(40):
        assert cli("add", f"Lead {number} " + "x" * 300).code == 0
    database = data_dir / "followthrough.sqlite3"
    whole = database.read_bytes()
    database.write_bytes(whole[: len(whole) // 2])
    result = cli("list")
    assert result.code == 5
    assert "is damaged (database disk image is malformed); nothing was changed" in result.err
    assert result.err.rstrip().endswith("doctor")
    assert database.read_bytes() == whole[: len(whole) // 2]
