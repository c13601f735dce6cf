"""Backups: consistent copies, daily and weekly rotation, checked restores that lose nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from followthrough.domain.leads import NewLead
from followthrough.errors import NewerSchemaError, NotFound, StorageError
from followthrough.paths import DataPaths
from followthrough.services import backups
from followthrough.services.lead_queries import list_leads
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from tests.conftest import NOW


def _names(db: Database) -> list[str]:
    return sorted(lead.name for lead in list_leads(db, now=NOW))


def test_a_backup_while_open_holds_everything_and_is_private(
    db: Database, data_paths: DataPaths
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    made = backups.make_backup(data_paths, now=NOW)
    assert made.parent == data_paths.backups
    assert made.stat().st_mode & 0o777 == 0o600
    assert backups.check_backup(made)
    with closing(sqlite3.connect(made)) as conn:
        assert conn.execute("SELECT name FROM lead").fetchall() == [("Ana Silva",)]
    [listed] = backups.list_backups(data_paths)
    assert (listed.kind, listed.made_at) == ("manual", NOW)


def test_the_shelf_of_an_open_database_names_its_backups_and_the_folder_to_show(
    db: Database, data_paths: DataPaths
) -> None:
    assert not data_paths.backups.exists()  # made with the first backup
    assert backups.backup_shelf(db) == backups.BackupShelf(data_paths.root, [])
    made = backups.make_manual_backup(db, NOW)
    assert made.parent == data_paths.backups
    shelf = backups.backup_shelf(db)
    assert shelf.folder == data_paths.backups
    assert [(b.path, b.kind, b.made_at) for b in shelf.backups] == [(made, "manual", NOW)]


def test_a_restore_into_the_open_database_is_read_at_once(
    db: Database, data_paths: DataPaths
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    made = backups.make_manual_backup(db, NOW)
    add_lead(db, NewLead.create(name="Bo Chen", now=NOW), NOW)
    saved = backups.restore_into_open(db, made, NOW + timedelta(minutes=1))
    assert _names(db) == ["Ana Silva"]
    assert saved is not None
    assert saved.parent == data_paths.backups
    assert saved.name.startswith("pre-restore-")


def test_daily_backups_rotate_seven_daily_and_four_weekly(
    db: Database, data_paths: DataPaths
) -> None:
    for day in range(40):
        moment = NOW + timedelta(days=day)
        assert backups.daily_backup(data_paths, moment) is not None
        assert backups.daily_backup(data_paths, moment + timedelta(hours=1)) is None  # once a day
    kinds = [b.kind for b in backups.list_backups(data_paths)]
    assert kinds.count("daily") == 7
    assert kinds.count("weekly") == 4
    newest = backups.list_backups(data_paths)[0]
    assert newest.made_at == NOW + timedelta(days=39)


def test_restore_brings_the_old_data_back_and_saves_what_it_replaced(
    db: Database, data_paths: DataPaths
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    made = backups.make_backup(data_paths, now=NOW)
    add_lead(db, NewLead.create(name="Bo Chen", now=NOW), NOW)
    saved = backups.restore_backup(data_paths, made, NOW + timedelta(minutes=1))
    assert saved is not None
    assert _names(db) == ["Ana Silva"]
    with closing(sqlite3.connect(saved)) as conn:
        assert len(conn.execute("SELECT name FROM lead").fetchall()) == 2


def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(
    db: Database, data_paths: DataPaths, tmp_path: Path
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    good = backups.make_backup(data_paths, now=NOW)
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(good.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a page of garbage inside the file
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.sqlite3"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE notes (x)")
    for bad in (damaged, foreign, tmp_path / "missing.sqlite3"):
        with pytest.raises((StorageError, NotFound)) as refused:
            backups.restore_backup(data_paths, bad, NOW)
        assert str(refused.value)
    assert _names(db) == ["Ana Silva"]
    assert [b.kind for b in backups.list_backups(data_paths)] == ["manual"]  # nothing replaced


def test_a_backup_from_a_newer_version_is_refused(
    db: Database, data_paths: DataPaths, tmp_path: Path
) -> None:
    newer = backups.make_backup(data_paths, now=NOW)
    with closing(sqlite3.connect(newer)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    with pytest.raises(NewerSchemaError):
        backups.restore_backup(data_paths, newer, NOW)
