"""Files the app writes: private from the first byte, never under another's name.

Real files throughout: umasks set for real, symlinks planted where a careless writer would
follow them, and blank data folders given to the real command. Killed and damaged backups:
test_backup_faults.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from followthrough import APP_ID, autostart
from followthrough.domain.leads import NewLead
from followthrough.paths import (
    ENV_DATA_DIR,
    LOCATION_FILE,
    DataPaths,
    config_dir,
    default_data_dir,
    prepare_data_dir,
    save_data_dir,
)
from followthrough.services import backups
from followthrough.services.csvimport import import_csv
from followthrough.services.export import export_csv, export_json
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.hardening.filecheck import STAMP, in_process, mode, one_line, run_cli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and symlinks")


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# --- modes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077, 0o277], ids=oct)
def test_files_are_0600_and_folders_0700_whatever_the_umask(tmp_path: Path, mask: int) -> None:
    root = tmp_path / "new" / "nested" / "data"
    csv_file = tmp_path / "in.csv"
    csv_file.write_text("Name\nImported Lead\n", encoding="utf-8")
    with _umask(mask):
        paths = prepare_data_dir(root)
        db = Database.open(paths, NOW)
        try:
            add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
            manual = backups.make_backup(paths, now=NOW)
            report = import_csv(db, csv_file, now=NOW + timedelta(minutes=1))
            export_json(db, tmp_path / "all.json", NOW)
            export_csv(db, tmp_path / "leads.csv", NOW)
        finally:
            db.close()
        save_data_dir(root)
        entry = autostart.enable(["/usr/bin/followthrough"])
    assert report.backup is not None
    files = {
        "database": paths.database,
        "manual backup": manual,
        "pre-import backup": report.backup,
        "json export": tmp_path / "all.json",
        "csv export": tmp_path / "leads.csv",
        "saved folder choice": config_dir() / LOCATION_FILE,
        "login entry": entry,
    }
    folders = {
        "data folder's parent's parent": tmp_path / "new",
        "data folder's parent": tmp_path / "new" / "nested",
        "data folder": root,
        "backups folder": paths.backups,
        "config home": tmp_path / "xdg-config",
        "config folder": config_dir(),
        "login entries folder": entry.parent,
    }
    assert {what: oct(mode(p)) for what, p in files.items()} == dict.fromkeys(files, "0o600")
    assert {what: oct(mode(p)) for what, p in folders.items()} == dict.fromkeys(folders, "0o700")


def test_a_folder_that_already_exists_keeps_its_mode(tmp_path: Path) -> None:
    # The user's own folder, pointed at with --data-dir: tightening it would be a surprise.
    mine = tmp_path / "shared"
    mine.mkdir()
    mine.chmod(0o750)
    prepare_data_dir(mine)
    assert mode(mine) == 0o750


# --- names that never collide ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["manual", "pre-import", "daily", "pre-migration-0005"])
def test_two_backups_in_the_same_second_both_exist(
    db: Database, data_paths: DataPaths, kind: str
) -> None:
    first = backups.make_backup(data_paths, kind, NOW)
    add_lead(db, NewLead.create(name="Made in between", now=NOW), NOW)
    second = backups.make_backup(data_paths, kind, NOW)

    assert first != second
    assert first.name == f"{kind}-{STAMP}.sqlite3"
    assert second.name == f"{kind}-{STAMP}-2.sqlite3"
    listed = backups.list_backups(data_paths)
    assert [(b.path, b.made_at) for b in listed] == [(second, NOW), (first, NOW)]  # newest first
    assert {b.kind for b in listed} == {kind.removesuffix("-0005")}
    for copy, names in ((first, 0), (second, 1)):
        with closing(sqlite3.connect(copy)) as conn:
            assert conn.execute("SELECT count(*) FROM lead").fetchone() == (names,)


def test_two_damaged_databases_set_aside_in_the_same_second_are_both_kept(
    data_paths: DataPaths, tmp_path: Path
) -> None:
    db = Database.open(data_paths, NOW)
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    db.close()
    good = backups.make_backup(data_paths, now=NOW)
    garbage = [b"first damaged file " * 300, b"second damaged file " * 300]
    for content in garbage:
        data_paths.database.write_bytes(content)
        for side in ("-wal", "-shm"):
            data_paths.database.with_name(data_paths.database.name + side).unlink(missing_ok=True)
        backups.restore_backup(data_paths, good, NOW)

    aside = sorted(data_paths.backups.glob("pre-restore-damaged-*.sqlite3"))
    assert [p.name for p in aside] == [
        f"pre-restore-damaged-{STAMP}-2.sqlite3",
        f"pre-restore-damaged-{STAMP}.sqlite3",
    ]
    assert sorted(p.read_bytes() for p in aside) == sorted(garbage)  # neither overwritten


# --- symlinks are never followed ------------------------------------------------------------

VICTIM = b"someone else's file, which must not change\n"


def _backup_in_folder(expect_name: str) -> Callable[..., None]:
    def act(paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        made = backups.make_backup(paths, now=NOW)
        assert made.name == expect_name
        assert not made.is_symlink()
        # The planted link is never offered as a backup.
        assert [b.path for b in backups.list_backups(paths)] == [made]

    return act


def _refused(*args: str) -> Callable[..., None]:
    def act(paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        words = [a.format(tmp=tmp_path) for a in args]
        done = in_process(capsys, "--data-dir", str(paths.root), *words)
        assert done.code == 4
        assert "already exists" in one_line(done)

    return act


def _autostart_entry(paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    written = autostart.enable(["/usr/bin/followthrough"])
    assert "Exec=/usr/bin/followthrough --tray" in written.read_text().splitlines()


@pytest.mark.parametrize(
    ("planted", "dangling", "act"),
    [
        # A link where the next backup would go: the backup takes the next name.
        (f"data/backups/manual-{STAMP}.sqlite3", False, _backup_in_folder(f"manual-{STAMP}-2.sqlite3")),
        (f"data/backups/manual-{STAMP}.sqlite3", True, _backup_in_folder(f"manual-{STAMP}-2.sqlite3")),
        # Where older versions wrote their partial copy, a name anyone could guess.
        (f"data/backups/manual-{STAMP}.sqlite3.partial", False,
         _backup_in_folder(f"manual-{STAMP}.sqlite3")),
        (f"data/backups/.manual-{STAMP}.sqlite3.tmp", False,
         _backup_in_folder(f"manual-{STAMP}.sqlite3")),
        # A link at a file named on the command line: refused, as any existing name is.
        ("copy.sqlite3", False, _refused("backup", "--output", "{tmp}/copy.sqlite3")),
        ("copy.sqlite3", True, _refused("backup", "--output", "{tmp}/copy.sqlite3")),
        ("all.json", False, _refused("export", "--format", "json", "--output", "{tmp}/all.json")),
        ("all.json", True, _refused("export", "--format", "json", "--output", "{tmp}/all.json")),
        # Where older versions wrote the login entry before renaming it.
        (f"xdg-config/autostart/.{APP_ID}.desktop.part", False, _autostart_entry),
    ],
    ids=["backup-name", "backup-name-dangling", "old-partial-name", "temp-like-name",
         "backup-output", "backup-output-dangling", "export-output", "export-output-dangling",
         "autostart-old-partial-name"],
)  # fmt: skip
def test_a_planted_symlink_is_never_followed(
    db: Database,
    data_paths: DataPaths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    planted: str,
    dangling: bool,
    act: Callable[..., None],
) -> None:
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_bytes(VICTIM)
        victim.chmod(0o644)
    link = tmp_path / planted
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim)

    act(data_paths, tmp_path, capsys)

    assert link.is_symlink()
    assert link.readlink() == victim
    if dangling:
        assert not victim.exists()  # nothing was created through the link
    else:
        assert victim.read_bytes() == VICTIM
        assert mode(victim) == 0o644


# --- a blank data folder is refused ---------------------------------------------------------


def _saved(value: str) -> Callable[[], None]:
    def write() -> None:
        config_dir().mkdir(parents=True)
        (config_dir() / LOCATION_FILE).write_text(json.dumps({"data_dir": value}))

    return write


@pytest.mark.parametrize(
    ("args", "env", "setup", "says"),
    [
        (("--data-dir", "", "list"), {}, None, "--data-dir is empty"),
        (("--data-dir", "   ", "backup"), {}, None, "--data-dir is empty"),
        (("--data-dir=", "backups"), {}, None, "--data-dir is empty"),
        (("--data-dir", "\t"), {}, None, "--data-dir is empty"),  # the app, not a command
        (("list",), {ENV_DATA_DIR: ""}, None, f"{ENV_DATA_DIR} is empty"),
        (("backup",), {ENV_DATA_DIR: "  "}, None, f"{ENV_DATA_DIR} is empty"),
        (("list",), {}, _saved(""), "the data folder saved in"),
        (("add", "Ana"), {}, _saved("   "), "the data folder saved in"),
    ],
    ids=["option-empty", "option-spaces", "option-equals-empty", "app-option-tab",
         "variable-empty", "variable-spaces", "saved-empty", "saved-spaces"],
)  # fmt: skip
def test_a_blank_data_folder_is_refused_and_the_default_is_not_made(
    tmp_path: Path,
    args: tuple[str, ...],
    env: dict[str, str],
    setup: Callable[[], None] | None,
    says: str,
) -> None:
    if setup is not None:
        setup()
    default = default_data_dir()
    assert default.is_relative_to(tmp_path)  # never the developer's own folder

    done = run_cli(*args, env=env)

    assert done.code == 2
    assert one_line(done).startswith(f"followthrough: {says}")
    assert done.out == ""
    assert not default.exists()
    assert not (tmp_path / "xdg-data").exists()
    assert not (Path.cwd() / "followthrough.sqlite3").exists()
