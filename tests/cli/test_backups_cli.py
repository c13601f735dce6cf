"""Backups from the command line, including restoring over a damaged database."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import CliRunner


def test_backup_list_and_restore(cli: CliRunner, data_dir: Path, tmp_path: Path) -> None:
    assert cli("add", "Ana Silva").code == 0
    made = cli("backup", "--json")
    assert made.code == 0, made.err
    path = Path(made.json()["path"])
    assert path.exists()
    listed = cli("backups", "--json").json()
    assert [(b["kind"], b["path"]) for b in listed] == [("manual", str(path))]
    assert cli("add", "Bo Chen").code == 0
    restored = cli("restore", str(path))
    assert restored.code == 0, restored.err
    assert "saved at" in restored.out
    assert [lead["name"] for lead in cli("list", "--json").json()] == ["Ana Silva"]
    copy = tmp_path / "copy.sqlite3"
    assert cli("backup", "--output", str(copy)).code == 0
    again = cli("backup", "--output", str(copy))
    assert again.code == 4
    assert "already exists" in again.err


def test_restore_repairs_a_damaged_database_and_refuses_junk(
    cli: CliRunner, data_dir: Path, tmp_path: Path
) -> None:
    assert cli("add", "Ana Silva").code == 0
    path = Path(cli("backup", "--json").json()["path"])
    (data_dir / "followthrough.sqlite3").write_bytes(b"scrambled" * 1000)
    for suffix in ("-wal", "-shm"):
        (data_dir / f"followthrough.sqlite3{suffix}").unlink(missing_ok=True)
    assert cli("list").code == 5  # the damage is reported, one line
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"\x00\x01garbage")
    refused = cli("restore", str(junk))
    assert refused.code == 5
    assert refused.err.count("\n") == 1
    assert cli("restore", str(path)).code == 0
    assert [lead["name"] for lead in cli("list", "--json").json()] == ["Ana Silva"]
