"""Files the app writes: private from the first byte, never under another's name, never half.

Each test uses real files and real processes: umasks set for real, symlinks planted where a
careless writer would follow them, a `followthrough backup` killed with SIGKILL mid-copy, a
database with a page of garbage in its middle.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from followthrough import APP_ID, autostart
from followthrough.cli import main
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
from followthrough.services.export import export_csv, export_json
from followthrough.services.leads import add_lead
from followthrough.services.transfer import import_csv
from followthrough.store.db import Database
from tests.cli.conftest import Result, installed_command
from tests.conftest import NOW
from tests.support.snapshot import folder_listing

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes, signals, flock")

STAMP = NOW.strftime("%Y%m%dT%H%M%SZ")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _run(*args: str, env: dict[str, str] | None = None, data: Path | None = None) -> Result:
    """The installed `followthrough`, as a person would run it."""
    environ = {k: v for k, v in os.environ.items() if k != ENV_DATA_DIR}
    if data is not None:
        environ[ENV_DATA_DIR] = str(data)
    environ.update(env or {})
    done = subprocess.run(
        [*installed_command(), *args], capture_output=True, text=True, env=environ, timeout=120
    )
    return Result(done.returncode, done.stdout, done.stderr)


def _in_process(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def _one_line(result: Result) -> str:
    """The single `followthrough: ...` line a fault prints, and nothing else on stderr."""
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith("followthrough: "), result.err
    return result.err


def _fill(database: Path, leads: int, text_size: int) -> None:
    """`leads` real lead rows, each with a long next step, written straight by SQLite."""
    with closing(sqlite3.connect(database)) as conn:
        conn.execute(
            """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO lead (name, tags, state, state_since, created_at, updated_at,
                              next_step, search_key)
            SELECT 'Lead ' || i, '[]', 'hot', '2026-11-23 10:00:00.000000',
                   '2026-11-23 10:00:00.000000', '2026-11-23 10:00:00.000000',
                   printf('%.*c', ?, 'x'), 'lead ' || i
            FROM n""",
            (leads, text_size),
        )
        conn.commit()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[str]:
    """Temporary files (ours start with a dot) anywhere under `folder`."""
    return [name for name in folder_listing(folder) if Path(name).name.startswith(".")]


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
    assert {what: oct(_mode(p)) for what, p in files.items()} == dict.fromkeys(files, "0o600")
    assert {what: oct(_mode(p)) for what, p in folders.items()} == dict.fromkeys(folders, "0o700")


def test_a_folder_that_already_exists_keeps_its_mode(tmp_path: Path) -> None:
    # The user's own folder, pointed at with --data-dir: tightening it would be a surprise.
    mine = tmp_path / "shared"
    mine.mkdir()
    mine.chmod(0o750)
    prepare_data_dir(mine)
    assert _mode(mine) == 0o750


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
        done = _in_process(capsys, "--data-dir", str(paths.root), *words)
        assert done.code == 4
        assert "already exists" in _one_line(done)

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
        assert _mode(victim) == 0o644


# --- a killed backup ------------------------------------------------------------------------


BIG_LEADS = 50_000


@pytest.fixture(scope="module")
def big_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Followthrough database of about 100 MB: copying it takes a visible while."""
    paths = prepare_data_dir(tmp_path_factory.mktemp("big") / "data")
    Database.open(paths, NOW).close()
    _fill(paths.database, leads=BIG_LEADS, text_size=1500)
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

    listing = _run("backups", "--json", data=data_dir)
    assert (listing.code, listing.json(), listing.err) == (0, [], "")  # never shown as a backup

    if next_run == "backup":
        done = _run("backup", data=data_dir)
    else:
        csv_file = tmp_path / "new.csv"
        csv_file.write_text("Name\nNew Lead\n", encoding="utf-8")
        done = _run("import", str(csv_file), data=data_dir)
    assert done.code == 0, done.err
    assert _one_line(done) == (
        "followthrough: removed 1 unfinished backup copy left by an interrupted run "
        f"({partial.name})\n"
    )
    assert _leftovers(paths.backups) == []
    [made] = backups.list_backups(paths)
    assert made.kind == ("manual" if next_run == "backup" else "pre-import")
    with closing(sqlite3.connect(made.path)) as conn:  # the whole database, as it was
        assert conn.execute("SELECT count(*) FROM lead").fetchone() == (BIG_LEADS,)

    again = _run("backup", data=data_dir)
    assert (again.code, again.err) == (0, "")  # said once
    assert _leftovers(paths.backups) == []


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
    assert _leftovers(data_paths.backups) == []


# --- a damaged copy is never a backup -------------------------------------------------------


def _damaged_database(data_dir: Path) -> Path:
    """A real database with a page of garbage in its middle, every page in use."""
    paths = prepare_data_dir(data_dir)
    Database.open(paths, NOW).close()
    _fill(paths.database, leads=3000, text_size=500)
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
    before = _digest(database)
    outside = folder_listing(tmp_path)

    done = _run("backup", *(w.format(tmp=tmp_path) for w in where), data=data_dir)

    assert done.code == 5
    assert "no backup was made" in _one_line(done)
    assert done.out == ""
    assert _digest(database) == before
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

    done = _run(*args, env=env)

    assert done.code == 2
    assert _one_line(done).startswith(f"followthrough: {says}")
    assert done.out == ""
    assert not default.exists()
    assert not (tmp_path / "xdg-data").exists()
    assert not (Path.cwd() / "followthrough.sqlite3").exists()
