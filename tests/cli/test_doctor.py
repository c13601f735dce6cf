"""`followthrough doctor`: a read-only health report; a damaged database is a problem, untouched."""

from __future__ import annotations

from pathlib import Path

from followthrough.store.migrate import SCHEMA_HEAD
from tests.cli.conftest import CliRunner


def test_a_healthy_folder_reports_each_check(cli: CliRunner, data_dir: Path) -> None:
    assert cli("add", "Ana Silva").code == 0
    assert cli("backup").code == 0
    report = cli("doctor", "--json")
    assert report.code == 0, report.out
    checks = {c["check"]: c for c in report.json()}
    assert set(checks) == {"data folder", "database", "schema", "integrity", "backups", "keyring"}
    assert all(c["ok"] for c in checks.values())
    assert checks["schema"]["detail"] == f"version {SCHEMA_HEAD}"
    assert checks["backups"]["detail"].startswith("1, newest ")


def test_a_damaged_database_is_reported_and_left_as_it_is(cli: CliRunner, data_dir: Path) -> None:
    assert cli("add", "Ana Silva").code == 0
    database = data_dir / "followthrough.sqlite3"
    database.write_bytes(b"scrambled" * 1000)
    for suffix in ("-wal", "-shm"):
        (data_dir / f"followthrough.sqlite3{suffix}").unlink(missing_ok=True)
    report = cli("doctor")
    assert report.code == 1
    assert "PROBLEM database" in report.out
    assert database.read_bytes() == b"scrambled" * 1000
