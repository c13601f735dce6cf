"""The startup check: whole databases pass untouched, damaged ones are named, backups offered."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from followthrough.domain.leads import NewLead
from followthrough.errors import InvalidData
from followthrough.paths import DataPaths
from followthrough.services import backups
from followthrough.services.integrity import damaged_message, newest_good_backup, quick_check
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from tests.conftest import NOW


def _side_files(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-")}


def _written_and_closed(db: Database, data_paths: DataPaths) -> Path:
    for number in range(50):
        add_lead(db, NewLead.create(name=f"Lead {number} " + "x" * 300, now=NOW), NOW)
    db.close()
    return data_paths.database


def test_a_database_the_app_wrote_passes_without_a_trace(
    db: Database, data_paths: DataPaths
) -> None:
    path = _written_and_closed(db, data_paths)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    assert _side_files(path) == set()
    assert quick_check(path) is None
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert _side_files(path) == set()


def test_a_database_in_use_is_checked_through_its_wal(db: Database, data_paths: DataPaths) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    assert "followthrough.sqlite3-wal" in _side_files(data_paths.database)
    assert quick_check(data_paths.database) is None


def test_garbage_truncation_and_a_bad_page_are_each_named(
    db: Database, data_paths: DataPaths, tmp_path: Path
) -> None:
    path = _written_and_closed(db, data_paths)
    whole = path.read_bytes()
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"scrambled" * 1000)
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(whole[: len(whole) // 2])
    bad_page = tmp_path / "bad-page.sqlite3"
    bad_page.write_bytes(whole[:8192] + b"\xff" * 4096 + whole[12288:])

    assert quick_check(garbage) == "not a database"
    assert quick_check(truncated) == "damaged: database disk image is malformed"
    bad = quick_check(bad_page)
    assert bad is not None
    assert bad.startswith("damaged: Page ")
    for checked in (garbage, truncated, bad_page):
        assert _side_files(checked) == set()
    assert garbage.read_bytes() == b"scrambled" * 1000


def test_missing_and_empty_files_are_a_new_start_and_unreadable_ones_say_why(
    tmp_path: Path,
) -> None:
    assert quick_check(tmp_path / "none.sqlite3") is None
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert quick_check(empty) is None
    if os.geteuid() == 0:
        pytest.skip("root reads every file: no unreadable file to make")
    locked = tmp_path / "locked.sqlite3"
    locked.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    locked.chmod(0)
    assert quick_check(locked) == "unreadable: Permission denied"


def test_the_newest_good_backup_skips_broken_ones(db: Database, data_paths: DataPaths) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    good = backups.make_backup(data_paths, "daily", NOW)
    broken = backups.make_backup(data_paths, "manual", NOW + timedelta(hours=1))
    broken.write_bytes(b"scrambled" * 1000)
    found = newest_good_backup(data_paths)
    assert found is not None
    assert found.path == good


def test_the_message_names_the_restore_command_or_the_doctor(
    db: Database, data_paths: DataPaths
) -> None:
    assert damaged_message(data_paths, "not a database") == (
        f"the database in {data_paths.root} is damaged (not a database); nothing was changed, "
        "and there is no good backup; run followthrough doctor"
    )
    made = backups.make_backup(data_paths, now=NOW)
    message = damaged_message(data_paths, "damaged: Page 3 is never used")
    assert message == (
        f"the database in {data_paths.root} is damaged (Page 3 is never used); nothing was "
        f"changed. Restore the newest good backup with: followthrough restore {made}"
    )


def test_retention_is_a_setting_within_bounds(db: Database) -> None:
    assert backups.get_retention(db) == backups.Retention(7, 4)
    assert backups.set_retention(db, 3, 0, NOW) == backups.Retention(3, 0)
    assert backups.get_retention(db) == backups.Retention(3, 0)
    for daily, weekly, field in (
        (0, 4, "keep_daily"),
        (61, 4, "keep_daily"),
        (7, 53, "keep_weekly"),
    ):
        with pytest.raises(InvalidData) as refused:
            backups.set_retention(db, daily, weekly, NOW)
        assert refused.value.field == field
    assert backups.get_retention(db) == backups.Retention(3, 0)


def test_the_daily_backup_prunes_to_the_chosen_counts(db: Database, data_paths: DataPaths) -> None:
    for day in range(20):
        backups.daily_backup(data_paths, NOW + timedelta(days=day))
    kinds = [b.kind for b in backups.list_backups(data_paths)]
    assert (kinds.count("daily"), kinds.count("weekly")) == (7, 3)
    kept = backups.set_retention(db, 2, 0, NOW)
    backups.daily_backup(data_paths, NOW + timedelta(days=20), kept.keep_daily, kept.keep_weekly)
    listed = backups.list_backups(data_paths)
    assert [b.kind for b in listed] == ["daily", "daily"]
    assert listed[0].made_at == NOW + timedelta(days=20)


def test_the_check_loads_no_database_layer() -> None:
    # The app starts the check before it imports SQLAlchemy (ui/app.py): importing the
    # services' check must not bring the database layer in with it.
    probe = (
        "import sys, followthrough.services.integrity\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'alembic') or m == 'followthrough.services.backups'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
