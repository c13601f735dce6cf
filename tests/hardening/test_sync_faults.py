"""The sync folder when things go wrong: killed writers, half-copied files, full and read-only disks.

Whatever the folder does, the person loses nothing: every change stays in the local log until
a batch holding it is published whole, and every change from another device is applied once.
"""

from __future__ import annotations

import gzip
import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from followthrough.services.sync.folder import SyncFolder, SyncFolderError
from followthrough.services.sync.folder_files import BATCH_NAME, TEMP_PREFIX
from tests.services.sync.test_folder import A, B, Device, op, ops
from tests.support.components import require_program
from tests.support.readonly import read_only_folder

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and mounts")


def _final_batches(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if BATCH_NAME.match(p.name))


def _assert_every_final_name_is_whole(folder: Path) -> None:
    for path in _final_batches(folder):
        document = json.loads(gzip.decompress(path.read_bytes()))
        first, last = int(BATCH_NAME.match(path.name)[1]), int(BATCH_NAME.match(path.name)[2])  # type: ignore[index]
        assert [o["seq"] for o in document["ops"]] == list(range(first, last + 1)), path.name


# --- half-copied files, as an engine hands them over ------------------------------------------


def test_a_batch_written_in_place_by_an_engine_is_read_once_it_is_whole(tmp_path: Path) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    laptop.record(30)
    laptop.sync(batch_limit=10)
    middle = laptop.folder.own / "ops-000000000011-000000000020.json.gz"
    whole = middle.read_bytes()
    # Some engines fill the final name as bytes arrive: empty, then a part, then all of it.
    for part in (b"", whole[:7], whole[: len(whole) // 2], whole[:-1]):
        middle.write_bytes(part)
        report = desktop.sync()
        assert desktop.received == [(A, seq) for seq in range(1, 11)], part[:3]
        assert len(report.notes) <= 1
    middle.write_bytes(whole)
    assert desktop.sync().applied == {A: 20}
    assert desktop.received == [(A, seq) for seq in range(1, 31)]


def test_the_same_files_delivered_twice_are_applied_once(tmp_path: Path) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    laptop.record(12)
    laptop.sync(batch_limit=4)
    own = laptop.folder.own
    # An engine's conflict copy, a re-delivered file (new inode and mtime), an overlapping batch.
    first = own / "ops-000000000001-000000000004.json.gz"
    (own / "ops-000000000001-000000000004.sync-conflict-20261123-100000-ABC.json.gz").write_bytes(
        first.read_bytes()
    )
    data = first.read_bytes()
    first.unlink()
    first.write_bytes(data)
    SyncFolder(tmp_path, A).write_batch(ops(A, 3, 6))
    for _ in range(2):
        desktop.sync()
    assert desktop.received == [(A, seq) for seq in range(1, 13)]


def test_a_batch_from_a_newer_version_waits_untouched_and_does_not_crash(tmp_path: Path) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    laptop.record(2)
    laptop.sync()
    newer = SyncFolder(tmp_path, A, format=2)
    newer.write_batch([op(A, 3, tbl="lead", new_field_of_the_future={"x": 1})])
    before = sorted((p.name, p.read_bytes()) for p in laptop.folder.own.iterdir())
    notes = desktop.sync().notes + desktop.sync().notes
    assert desktop.received == [(A, 1), (A, 2)]
    assert len(notes) == 1
    assert "newer version of Followthrough" in notes[0]
    assert sorted((p.name, p.read_bytes()) for p in laptop.folder.own.iterdir()) == before


# --- a writer killed while it writes ----------------------------------------------------------

_WRITER = r"""
import sys
from pathlib import Path
from followthrough.services.sync.folder import SyncFolder

root, device = Path(sys.argv[1]), sys.argv[2]
folder = SyncFolder(root, device)
seq = folder.last_written_seq()
text = "a long note that fills the batch " * 20
while True:
    batch = [{"hlc": f"{seq + i:015d}-00000-{device}", "device": device, "seq": seq + i,
              "tbl": "event", "gid": f"{device}:{seq + i}", "kind": "insert",
              "row": {"text": text + str(seq + i)}, "changed": None} for i in range(1, 2001)]
    print("writing", flush=True)
    folder.write_batch(batch)
    seq += 2000
    print("wrote", seq, flush=True)
"""


def test_a_writer_killed_mid_batch_leaves_only_whole_files_and_loses_nothing(
    tmp_path: Path,
) -> None:
    rounds = 6
    for round_number in range(rounds):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), A],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert writer.stdout is not None
        # Kill at different points: just as a batch starts, after one is done, mid-way through.
        starts = 0
        while starts < round_number % 3 + 1:
            line = writer.stdout.readline()
            assert line, writer.stderr.read() if writer.stderr else ""
            starts += line.startswith(b"writing")
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        assert writer.returncode == -signal.SIGKILL, writer.stderr.read() if writer.stderr else ""
        own = tmp_path / "followthrough-sync" / "v1" / A
        own.mkdir(parents=True, exist_ok=True)  # killed before its first batch: nothing yet
        for path in own.iterdir():
            assert BATCH_NAME.match(path.name) or path.name.startswith(TEMP_PREFIX), path.name
        _assert_every_final_name_is_whole(own)

    reader = SyncFolder(tmp_path, B)
    found = reader.read_new_ops(A, 0)
    written = SyncFolder(tmp_path, A).last_written_seq()
    assert written > 0
    assert [o["seq"] for o in found.ops] == list(range(1, written + 1))
    assert found.notes == []


_PAUSING_WRITER = r"""
import os
import sys
from pathlib import Path
from followthrough.services.sync import folder_files
from followthrough.services.sync.folder import SyncFolder

root, device, window = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
real_write, real_replace = os.write, os.replace

def write(fd, data):
    # Half of the batch's bytes reach the temporary file, then the writer stops for good.
    if window == "write" and len(data) > 1:
        done = real_write(fd, bytes(data[: len(data) // 2]))
        print("half written", done, flush=True)
        sys.stdin.readline()
    return real_write(fd, data)

def replace(source, target):
    if window == "rename":
        print("before rename", flush=True)
        sys.stdin.readline()
    return real_replace(source, target)

folder_files.os = type(os)("os_with_pauses")
folder_files.os.__dict__.update(os.__dict__, write=write, replace=replace)
folder = SyncFolder(root, device)
seq = folder.last_written_seq()
folder.write_batch([{"hlc": f"{seq + i:015d}-00000-{device}", "device": device,
                     "seq": seq + i, "tbl": "event", "gid": f"{device}.{seq + i}",
                     "kind": "insert", "row": {"text": f"note {seq + i}"}, "changed": None}
                    for i in range(1, 501)])
print("wrote", flush=True)
"""


@pytest.mark.parametrize("window", ["write", "rename"])
def test_a_writer_killed_inside_the_write_leaves_no_batch_and_the_next_one_resends(
    tmp_path: Path, window: str
) -> None:
    own = tmp_path / "followthrough-sync" / "v1" / A

    def writer(pause: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-c", _PAUSING_WRITER, str(tmp_path), A, pause],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    first = writer("none")
    assert first.communicate(timeout=60)[0].endswith(b"wrote\n")
    killed = writer(window)
    assert killed.stdout is not None
    line = killed.stdout.readline()
    assert line.startswith(b"half written" if window == "write" else b"before rename"), line + (
        killed.stderr.read() if killed.stderr else b""
    )
    # Stopped inside the window, proven by its own word: the bytes are in a temporary file.
    temps = [p for p in own.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert len(temps) == 1
    assert temps[0].stat().st_size > 0
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed.returncode == -signal.SIGKILL
    assert [p.name for p in _final_batches(own)] == ["ops-000000000001-000000000500.json.gz"]

    reader = SyncFolder(tmp_path, B)
    assert [o["seq"] for o in reader.read_new_ops(A, 0).ops] == list(range(1, 501))
    assert reader.read_new_ops(A, 0).notes == []  # a temporary file is no one's business

    # The next run writes the same numbers again, whole; each is read once.
    again = writer("none")
    assert again.communicate(timeout=60)[0].endswith(b"wrote\n")
    _assert_every_final_name_is_whole(own)
    assert [o["seq"] for o in reader.read_new_ops(A, 0).ops] == list(range(1, 1001))


# --- a read-only and a full sync folder -------------------------------------------------------


def test_a_read_only_sync_folder_is_reported_and_the_changes_wait_in_the_local_log(
    tmp_path: Path,
) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    laptop.record(3)
    desktop.record(2)
    laptop.sync()
    desktop.sync()
    laptop.record(4)
    with read_only_folder(laptop.folder.own):
        with pytest.raises(SyncFolderError, match="read-only") as refused:
            laptop.sync()
        message = str(refused.value)
        assert "Nothing is lost" in message
        # Reading went on: the other device's changes arrived all the same.
        assert refused.value.report.applied == {B: 2}
        assert [p.name.startswith(TEMP_PREFIX) for p in laptop.folder.own.iterdir()].count(
            True
        ) == 0
    assert laptop.sync().sent == 4
    desktop.sync()
    assert desktop.received == [(A, seq) for seq in range(1, 8)]


_ON_SMALL_DISK = r"""
import json, os, sys
from pathlib import Path
from followthrough.services.sync.folder import SyncFolder, SyncFolderError

disk = Path(sys.argv[1])
folder = SyncFolder(disk, "a1a1a1a1a1a1a1a1")
def batch(first, count):
    return [{"hlc": f"{s:015d}-00000-x", "device": "a1a1a1a1a1a1a1a1", "seq": s, "tbl": "event",
             "gid": str(s), "kind": "insert", "row": {"text": os.urandom(300).hex()},
             "changed": None} for s in range(first, first + count)]
folder.write_batch(batch(1, 10))
filler = disk / "filler"
with open(filler, "wb", buffering=0) as out:
    try:
        while True:
            out.write(b"\0" * 65536)
    except OSError:
        pass
try:
    with open(filler, "ab", buffering=0) as out:
        while True:
            out.write(b"\0")
except OSError:
    pass
result = {}
try:
    folder.write_batch(batch(11, 200))
    result["refused"] = None
except SyncFolderError as error:
    result["refused"] = str(error)
result["after_full"] = sorted(os.listdir(folder.own))
filler.unlink()
folder.write_batch(batch(11, 200))
result["after_room"] = sorted(os.listdir(folder.own))
result["seqs"] = [o["seq"] for o in SyncFolder(disk, "b2b2b2b2b2b2b2b2").read_new_ops(
    "a1a1a1a1a1a1a1a1", 0).ops]
print(json.dumps(result))
"""


def test_a_full_disk_is_reported_and_leaves_no_half_file(tmp_path: Path) -> None:
    unshare = require_program("unshare")
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = f"mount -t tmpfs -o size=1m tmpfs {shlex.quote(str(disk))}"
    probe = subprocess.run([unshare, "--user", "--map-root-user", "--mount", "sh", "-c",
                            f"{mount} && true"], capture_output=True, text=True, check=False)  # fmt: skip
    if probe.returncode != 0:
        message = f"cannot mount a small tmpfs here: {probe.stderr.strip()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    inner = shlex.join([sys.executable, "-c", _ON_SMALL_DISK, str(disk)])
    done = subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-c", f"{mount} && {inner}"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    assert found["refused"] is not None
    assert found["refused"].startswith("The disk that holds the sync folder")
    assert "Nothing is lost" in found["refused"]
    assert found["after_full"] == ["ops-000000000001-000000000010.json.gz"]
    assert found["after_room"][-1] == "ops-000000000011-000000000210.json.gz"
    assert found["seqs"] == list(range(1, 211))
