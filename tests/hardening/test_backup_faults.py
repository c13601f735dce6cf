"""Backups that go wrong: killed mid-copy, copied from a damaged file, piling up.

A real `followthrough backup` is killed with SIGKILL while it writes its copy, and a real
database gets a page of garbage in its middle: what a person finds afterwards is checked.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from followthrough.paths import ENV_DATA_DIR, DataPaths, prepare_data_dir
from followthrough.services import backups
from followthrough.services.csvimport import import_csv
from followthrough.store.db import Database
from tests.cli.conftest import installed_command
from tests.conftest import NOW
from tests.hardening.filecheck import STAMP, digest, fill_leads, leftovers, one_line, run_cli
from tests.support.snapshot import folder_listing

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and flock")


# --- a killed backup ------------------------------------------------------------------------


BIG_LEADS = 50_000


@pytest.fixture(scope="module")
def big_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Followthrough database of about 100 MB: copying it takes a visible while."""
    paths = prepare_data_dir(tmp_path_factory.mktemp("big") / "data")
    Database.open(paths, NOW).close()
    fill_leads(paths.database, leads=BIG_LEADS, text_size=1500)
    return paths.database


def _poll(what: str, found: Callable[[], Path | None], seconds: float = 60) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (hit := found()) is not None:
            return hit
        time.sleep(0.002)
    pytest.fail(f"no {what} within {seconds} s")


def _kill_mid_copy(data: Path) -> Path:
    """Start `followthrough backup`, SIGKILL it once its copy is being written; the copy."""
    environ = {**os.environ, ENV_DATA_DIR: str(data)}
    process = subprocess.Popen(
        [*installed_command(), "backup"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def copy_under_way() -> Path | None:
            if process.poll() is not None:
                _, err = process.communicate()
                pytest.fail(f"the backup ended ({process.returncode}) before its kill: {err!r}")
            for partial in (data / "backups").glob(".manual-*.tmp"):
                try:
                    if partial.stat().st_size > 0:
                        return partial
                except FileNotFoundError:
                    pass
            return None

        partial = _poll("partial copy being written", copy_under_way)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert partial.exists()  # what a killed run leaves behind: the test's starting point
    return partial


@pytest.mark.timeout(300)
@pytest.mark.parametrize("next_run", ["backup", "import"])
def test_a_killed_backup_leaves_nothing_the_next_run_does_not_clean_and_tell(
    big_database: Path, data_dir: Path, tmp_path: Path, next_run: str
) -> None:
    paths = prepare_data_dir(data_dir)
    shutil.copyfile(big_database, paths.database)
    partial = _kill_mid_copy(data_dir)

    listing = run_cli("backups", "--json", data=data_dir)
    assert (listing.code, listing.json(), listing.err) == (0, [], "")  # never shown as a backup

    if next_run == "backup":
        done = run_cli("backup", data=data_dir)
    else:
        csv_file = tmp_path / "new.csv"
        csv_file.write_text("Name\nNew Lead\n", encoding="utf-8")
        done = run_cli("import", str(csv_file), data=data_dir)
    assert done.code == 0, done.err
    assert one_line(done) == (
        "followthrough: removed 1 unfinished backup copy left by an interrupted run "
        f"({partial.name})\n"
    )
    assert leftovers(paths.backups) == []
    [made] = backups.list_backups(paths)
    assert made.kind == ("manual" if next_run == "backup" else "pre-import")
    with closing(sqlite3.connect(made.path)) as conn:  # the whole database, as it was
        assert conn.execute("SELECT count(*) FROM lead").fetchone() == (BIG_LEADS,)

    again = run_cli("backup", data=data_dir)
    assert (again.code, again.err) == (0, "")  # said once
    assert leftovers(paths.backups) == []


def test_a_copy_being_written_by_a_live_process_is_left_alone(
    db: Database, data_paths: DataPaths
) -> None:
    from followthrough.store.safefiles import remove_orphans, temp_beside

    target = data_paths.backups / f"manual-{STAMP}.sqlite3"
    data_paths.backups.mkdir()
    with temp_beside(target) as temp:
        assert backups.remove_unfinished(data_paths) is None
        assert remove_orphans(data_paths.backups) == []
        assert temp.path.exists()
    assert leftovers(data_paths.backups) == []


# --- a damaged copy is never a backup -------------------------------------------------------


def _damaged_database(data_dir: Path) -> Path:
    """A real database with a page of garbage in its middle, every page in use."""
    paths = prepare_data_dir(data_dir)
    Database.open(paths, NOW).close()
    fill_leads(paths.database, leads=3000, text_size=500)
    with closing(sqlite3.connect(paths.database)) as conn:
        conn.execute("VACUUM")  # no free pages: the garbage lands in a page the data uses
        pages, size = (
            conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size")
        )
    assert not paths.database.with_name(paths.database.name + "-wal").exists()
    with paths.database.open("r+b") as file:
        file.seek((pages // 2) * size)
        file.write(b"\xff" * size)
    return paths.database


@pytest.mark.parametrize(
    "where", [(), ("--output", "{tmp}/copy.sqlite3")], ids=["backups-folder", "output-file"]
)
def test_a_copy_that_fails_its_check_is_not_called_a_backup(
    data_dir: Path, tmp_path: Path, where: tuple[str, ...]
) -> None:
    database = _damaged_database(data_dir)
    before = digest(database)
    outside = folder_listing(tmp_path)

    done = run_cli("backup", *(w.format(tmp=tmp_path) for w in where), data=data_dir)

    assert done.code == 5
    assert "no backup was made" in one_line(done)
    assert done.out == ""
    assert digest(database) == before
    assert not (data_dir / "backups").exists()
    assert not (tmp_path / "copy.sqlite3").exists()
    # The only new names are the database's own SQLite side files (its reader's -wal/-shm).
    new = set(folder_listing(tmp_path)) - set(outside)
    assert new <= {"data/followthrough.sqlite3-wal", "data/followthrough.sqlite3-shm"}


# --- pruning the copies made on the way into an import or an upgrade -------------------------


@pytest.mark.parametrize("kind", ["pre-import", "pre-migration-0001"])
def test_safety_copies_keep_as_many_as_daily_ones(
    db: Database, data_paths: DataPaths, kind: str
) -> None:
    made = [backups.make_backup(data_paths, kind, NOW + timedelta(hours=h)) for h in range(5)]
    manual = [backups.make_backup(data_paths, "manual", NOW + timedelta(hours=h)) for h in range(3)]
    restore = backups.make_backup(data_paths, "pre-restore", NOW)

    backups.daily_backup(data_paths, NOW + timedelta(days=1), keep_daily=2, keep_weekly=0)

    left = {b.path for b in backups.list_backups(data_paths)}
    assert {p for p in made if p in left} == set(made[-2:])  # the newest two
    assert set(manual) | {restore} <= left  # asked for, or the way back: never pruned


def test_imports_prune_their_own_copies(db: Database, tmp_path: Path) -> None:
    backups.set_retention(db, 2, 0, NOW)
    reports = []
    for number in range(4):
        csv_file = tmp_path / f"{number}.csv"
        csv_file.write_text(f"Name\nLead {number}\n", encoding="utf-8")
        reports.append(import_csv(db, csv_file, now=NOW + timedelta(minutes=number)))
    kept = [b.path for b in backups.list_backups(DataPaths(db.path.parent))]
    assert kept == [reports[3].backup, reports[2].backup]
