"""A CSV import either lands whole or leaves the data as it was, whatever stops it.

Each case runs the real `followthrough import` command in a child process on a data folder
holding a few leads, stops it the hard way (SIGKILL, a full disk, a folder nobody may
write to, a file that cannot be read), then opens the database with sqlite3 itself: it
must pass `PRAGMA integrity_check` and dump exactly as it did before.
"""

from __future__ import annotations

import json
import os
import shlex
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from followthrough.cli import main
from tests.support.bigcsv import write_leads_csv
from tests.support.components import require_program
from tests.support.readonly import read_only_folder

BIG = 100_000
INVALID = 4
STORAGE = 5
SEEDED = [
    ("Ana Silva", "ana@example.org"),
    ("Bruno Berg", "bruno@example.org"),
    ("Chloé Dubois", "chloe@example.org"),
]


def followthrough(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "followthrough", "--data-dir", str(data), *args]


def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        followthrough(data, *args), capture_output=True, text=True, timeout=120, check=False
    )


def database_of(data: Path) -> Path:
    return data / "followthrough.sqlite3"


def dump(database: Path) -> str:
    """Every table's rows as SQL text: equal dumps mean nothing was added, changed or lost."""
    with closing(sqlite3.connect(database)) as conn:
        return "\n".join(conn.iterdump())


def integrity(database: Path) -> str:
    with closing(sqlite3.connect(database)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def lead_count(database: Path) -> int:
    with closing(sqlite3.connect(database)) as conn:
        return int(conn.execute("SELECT count(*) FROM lead").fetchone()[0])


def backups_in(data: Path) -> list[str]:
    folder = data / "backups"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("import") / "leads-100k.csv"
    write_leads_csv(path, BIG)
    return path


@pytest.fixture
def seeded(data_dir: Path) -> Path:
    """A data folder with three leads, written by the CLI and closed."""
    for name, email in SEEDED:
        assert main(["--data-dir", str(data_dir), "add", name, "--email", email]) == 0
    return data_dir


# --- SIGKILL in the middle -------------------------------------------------------------------


def wait_for(condition: object, proc: subprocess.Popen[bytes], what: str, limit: float) -> None:
    """Poll `condition` until it holds; fail if the import ends or the deadline passes first."""
    assert callable(condition)
    deadline = time.monotonic() + limit
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the import ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("wal_bytes", [1 << 20, 40 << 20], ids=["early", "late"])
def test_sigkill_mid_import_leaves_the_database_whole_and_as_it_was(
    seeded: Path, big_csv: Path, wal_bytes: int
) -> None:
    database = database_of(seeded)
    before = dump(database)
    wal = database.with_name(database.name + "-wal")

    proc = subprocess.Popen(
        followthrough(seeded, "import", str(big_csv)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The rows already written sit in the WAL, uncommitted: the import is under way.
        wait_for(
            lambda: bool(backups_in(seeded)) and wal.exists() and wal.stat().st_size > wal_bytes,
            proc,
            f"the WAL held {wal_bytes >> 20} MB of the import",
            limit=60,
        )
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -9

    assert integrity(database) == "ok"
    # The whole import is one transaction and it never committed: recovery drops its
    # frames from the WAL, so none of the 100k rows is there and the three leads are.
    assert lead_count(database) == len(SEEDED)
    assert dump(database) == before
    listed = run_cli(seeded, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(lead["name"] for lead in json.loads(listed.stdout)) == [n for n, _ in SEEDED]


# --- a full disk ---------------------------------------------------------------------------

# Runs inside the mount namespace, where the small disk is visible: copies the data folder
# onto it, optionally fills the disk up to `leave` free bytes, imports, frees the space and
# reports what the database then holds.
_ON_SMALL_DISK = r"""
import json, os, shutil, sqlite3, subprocess, sys
from contextlib import closing, contextmanager

disk, seed, csv_file, leave = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = os.path.join(disk, "data")
shutil.copytree(seed, data)
filler = os.path.join(disk, "filler")
if leave >= 0:
    stat = os.statvfs(disk)
    with open(filler, "wb") as out:
        out.write(b"\0" * max(stat.f_bavail * stat.f_frsize - leave, 0))
done = subprocess.run(
    [sys.executable, "-m", "followthrough", "--data-dir", data, "import", csv_file],
    capture_output=True, text=True, timeout=120,
)
if os.path.exists(filler):
    os.remove(filler)
with closing(sqlite3.connect(os.path.join(data, "followthrough.sqlite3"))) as conn:
    verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    rows = "\n".join(conn.iterdump())
backups = os.path.join(data, "backups")
print(json.dumps({
    "code": done.returncode, "out": done.stdout, "err": done.stderr,
    "integrity": verdict, "dump": rows,
    "backups": sorted(os.listdir(backups)) if os.path.isdir(backups) else [],
}))
"""


def on_small_disk(tmp_path: Path, seed: Path, csv_file: Path, size: str, leave: int) -> dict:
    """Run the import on a tmpfs of `size` in a private mount namespace; its findings."""
    unshare = require_program("unshare")
    disk = tmp_path / "disk"
    disk.mkdir()
    inner = shlex.join([sys.executable, "-c", _ON_SMALL_DISK, str(disk), str(seed),
                        str(csv_file), str(leave)])  # fmt: skip
    mount = f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(disk))}"
    probe = subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-c", f"{mount} && true"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        message = f"cannot mount a small tmpfs here: {probe.stderr.strip()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-c", f"{mount} && {inner}"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_a_full_disk_stops_the_import_and_loses_nothing(
    tmp_path: Path, seeded: Path, big_csv: Path
) -> None:
    before = dump(database_of(seeded))
    found = on_small_disk(tmp_path, seeded, big_csv, "3m", leave=-1)
    assert found["code"] == STORAGE, found["err"]
    assert one_line(found["err"]) == (
        "followthrough: the import stopped (the disk is full); "
        "nothing was imported, your data is as it was"
    )
    assert found["out"] == ""
    assert found["integrity"] == "ok"
    assert found["dump"] == before


def test_no_room_for_the_backup_stops_the_import_before_it_starts(
    tmp_path: Path, seeded: Path, big_csv: Path
) -> None:
    before = dump(database_of(seeded))
    size = database_of(seeded).stat().st_size
    # Room for the database's WAL and shared memory, not for a copy of the database.
    found = on_small_disk(tmp_path, seeded, big_csv, "3m", leave=size // 2)
    assert found["code"] == STORAGE, found["err"]
    line = one_line(found["err"])
    assert line.startswith("followthrough: the import did not start: could not write the backup ")
    assert line.endswith("database or disk is full; nothing was changed")
    assert found["integrity"] == "ok"
    assert found["dump"] == before
    assert found["backups"] == []  # no half-written copy left behind


# --- a read-only data folder ---------------------------------------------------------------


def test_a_read_only_data_folder_is_named_and_nothing_changes(seeded: Path, big_csv: Path) -> None:
    before = dump(database_of(seeded))
    with_backups = backups_in(seeded)
    with read_only_folder(seeded):
        done = run_cli(seeded, "import", str(big_csv))
    assert done.returncode == STORAGE
    line = one_line(done.stderr)
    assert line.startswith(f"followthrough: the data folder {seeded} is not writable: ")
    assert done.stdout == ""
    assert integrity(database_of(seeded)) == "ok"
    assert dump(database_of(seeded)) == before
    assert backups_in(seeded) == with_backups


# --- files that cannot be imported ---------------------------------------------------------

BAD_FILES = {
    "binary": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16, "The file is not text"),
    "empty": (b"", "The file is empty."),
    "no usable column": (
        b"Ref,Amount,Region\n1,200,North\n2,350,South\n",
        "No column heading in the file names a lead field",
    ),
    "a 1 MB cell": (
        b'Name,Email,Notes\nAna,ana@example.com,"' + b"x" * (1 << 20) + b'"\n',
        "line 2: a cell is over 10,000 characters.",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_is_refused_in_one_line_and_changes_nothing(
    seeded: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    content, reason = BAD_FILES[kind]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    before = dump(database_of(seeded))
    capsys.readouterr()
    code = main(["--data-dir", str(seeded), "import", str(bad)])
    out, err = capsys.readouterr()
    assert code == INVALID
    assert reason in one_line(err)
    assert out == ""
    assert dump(database_of(seeded)) == before


def test_a_file_whose_rows_are_all_ragged_imports_nothing_and_says_why(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Name,Email\nDana Quiet,dana@example.com,Paris,2026\nEli Moss,eli@\n")
    before = dump(database_of(seeded))
    capsys.readouterr()
    code = main(["--data-dir", str(seeded), "import", str(ragged)])
    out, err = capsys.readouterr()
    # Exit 1: the import ran, and every row was left out, each with its reason.
    assert code == 1
    assert err == ""
    assert f"Imported {ragged.name}: 0 leads added, 2 rows left out for a problem." in out
    assert "line 2: the row has 4 cells where the header has 2" in out
    assert "line 3, email: " in out
    assert dump(database_of(seeded)) == before


def test_a_file_refused_while_reading_leaves_no_backup_behind(seeded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_FILES["a 1 MB cell"][0])
    assert main(["--data-dir", str(seeded), "import", str(bad)]) == INVALID
    assert backups_in(seeded) == []


def test_a_database_file_nobody_may_write_is_named_and_nothing_changes(
    seeded: Path, big_csv: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can make a file immutable (chattr +i)")
    chattr = require_program("chattr")
    database = database_of(seeded)
    before = dump(database)
    subprocess.run([chattr, "+i", str(database)], check=True)
    try:
        done = run_cli(seeded, "import", str(big_csv))
    finally:
        subprocess.run([chattr, "-i", str(database)], check=True)
    assert dump(database) == before
    assert done.returncode == STORAGE, done.stderr
    assert "unexpected error" not in one_line(done.stderr)
