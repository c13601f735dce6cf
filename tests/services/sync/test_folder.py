"""The sync folder: what one device publishes, another reads whole, once, in order."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from followthrough.services.sync.folder import StoredSnapshot, SyncFolder, SyncFolderError
from followthrough.services.sync.folder_sync import sync_once

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
A, B = "a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2"


def op(device: str, seq: int, kind: str = "insert", **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "hlc": f"{1_700_000_000_000 + seq:015d}-00000-{device}",
        "device": device,
        "seq": seq,
        "tbl": "event",
        "gid": f"{device}:{seq}",
        "kind": kind,
        "row": {"kind": "note", "text": f"note {seq}", "lead_id": f"{device}:lead"},
        "changed": None,
    }
    base.update(extra)
    return base


def ops(device: str, first: int, last: int) -> list[dict[str, Any]]:
    return [op(device, seq) for seq in range(first, last + 1)]


class Device:
    """A device's side of the pass: its local log, and an applier that records what it got."""

    def __init__(self, root: Path, device: str, name: str) -> None:
        self.folder = SyncFolder(root, device)
        self.name = name
        self.log: list[dict[str, Any]] = []
        self.received: list[tuple[str, int]] = []
        self.applied: dict[str, int] = {}

    def record(self, count: int) -> None:
        start = len(self.log) + 1
        self.log.extend(ops(self.folder.device, start, start + count - 1))

    def ops_after(self, seq: int, limit: int) -> list[dict[str, Any]]:
        return [o for o in self.log if o["seq"] > seq][:limit]

    def apply(self, batch: list[dict[str, Any]]) -> None:
        # The contract's applier: skip what is applied, advance over contiguous seqs only.
        for incoming in batch:
            device, seq = incoming["device"], incoming["seq"]
            if seq <= self.applied.get(device, 0):
                continue
            self.received.append((device, seq))
            if seq == self.applied.get(device, 0) + 1:
                self.applied[device] = seq

    def applied_seqs(self) -> Mapping[str, int]:
        return dict(self.applied)

    def sync(self, **options: Any) -> Any:
        return sync_once(
            self.folder, device_name=self.name, ops_after=self.ops_after, apply=self.apply,
            applied_seqs=self.applied_seqs, now=NOW, **options,
        )  # fmt: skip


def test_a_batch_written_by_one_device_is_read_whole_and_in_order_by_another(
    tmp_path: Path,
) -> None:
    writer, reader = SyncFolder(tmp_path, A), SyncFolder(tmp_path, B)
    writer.write_batch(ops(A, 4, 6))
    writer.write_batch(list(reversed(ops(A, 1, 3))))

    found = reader.read_new_ops(A, 0)
    assert [o["seq"] for o in found.ops] == [1, 2, 3, 4, 5, 6]
    assert found.ops[0] == op(A, 1)
    assert found.notes == []
    assert [o["seq"] for o in reader.read_new_ops(A, 4).ops] == [5, 6]
    assert reader.read_new_ops(A, 6).ops == []
    assert reader.peer_devices() == [A]
    assert writer.peer_devices() == []


def test_a_published_batch_is_never_written_again(tmp_path: Path) -> None:
    folder = SyncFolder(tmp_path, A)
    path = folder.write_batch(ops(A, 1, 3))
    assert path is not None
    assert path.name == "ops-000000000001-000000000003.json.gz"
    before = path.stat()
    assert folder.write_batch(ops(A, 1, 3)) is None
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert path.stat().st_ino == before.st_ino
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp left behind
    with pytest.raises(ValueError, match="consecutive"):
        folder.write_batch([op(A, 4), op(A, 6)])


def test_files_that_are_not_finished_batches_are_left_alone(tmp_path: Path) -> None:
    writer, reader = SyncFolder(tmp_path, A), SyncFolder(tmp_path, B)
    done = writer.write_batch(ops(A, 1, 2))
    assert done is not None
    own = done.parent
    (own / ".tmp-0123456789abcdef").write_bytes(done.read_bytes()[:10])
    (own / ".syncthing.ops-000000000003-000000000004.json.gz.tmp").write_bytes(b"\x1f\x8b")
    (own / "ops-000000000003-000000000004.json.gz").write_bytes(b"")  # zero length: arriving
    (own / "ops-000000000001-000000000002.sync-conflict-20261123-1.json.gz").write_bytes(b"x")

    found = reader.read_new_ops(A, 0)
    assert [o["seq"] for o in found.ops] == [1, 2]
    assert found.notes == []

    # The engine finishes copying: the batch is read at the next pass.
    (own / "ops-000000000003-000000000004.json.gz").unlink()
    writer.write_batch(ops(A, 3, 4))
    assert [o["seq"] for o in reader.read_new_ops(A, 2).ops] == [3, 4]


def test_a_truncated_batch_stops_reading_until_it_is_complete_and_is_noted_once(
    tmp_path: Path,
) -> None:
    writer, reader = SyncFolder(tmp_path, A), SyncFolder(tmp_path, B)
    writer.write_batch(ops(A, 1, 2))
    whole = writer.write_batch(ops(A, 3, 5))
    writer.write_batch(ops(A, 6, 6))
    assert whole is not None
    content = whole.read_bytes()
    whole.write_bytes(content[: len(content) // 2])

    first = reader.read_new_ops(A, 0)
    # Nothing after the hole: applied seqs only ever advance without a gap.
    assert [o["seq"] for o in first.ops] == [1, 2]
    assert len(first.notes) == 1
    assert "ops-000000000003-000000000005" in first.notes[0]
    assert "read again at the next sync" in first.notes[0]
    assert reader.read_new_ops(A, 2).notes == []  # noted once

    whole.write_bytes(content)
    assert [o["seq"] for o in reader.read_new_ops(A, 2).ops] == [3, 4, 5, 6]


@pytest.mark.parametrize(
    "damage",
    [
        gzip.compress(b'{"format": 1, "ops": ['),  # complete gzip, cut JSON
        gzip.compress(b"[1, 2]"),
        gzip.compress(b'{"format": 1, "first": 1, "last": 2, "ops": [{"seq": 1}]}'),
        b"not gzip at all",
    ],
)
def test_damaged_batches_are_skipped_without_an_exception(tmp_path: Path, damage: bytes) -> None:
    reader = SyncFolder(tmp_path, B)
    folder = tmp_path / "followthrough-sync" / "v1" / A
    folder.mkdir(parents=True)
    (folder / "ops-000000000001-000000000002.json.gz").write_bytes(damage)
    found = reader.read_new_ops(A, 0)
    assert found.ops == []
    assert len(found.notes) == 1


def test_a_batch_from_a_newer_version_is_left_alone_with_one_clear_note(tmp_path: Path) -> None:
    SyncFolder(tmp_path, A).write_batch(ops(A, 1, 1))
    newer = SyncFolder(tmp_path, A, format=2)
    path = newer.write_batch(ops(A, 2, 3))
    newer.write_device_info("Desktop", {}, NOW)
    assert path is not None
    before = path.read_bytes()
    reader = SyncFolder(tmp_path, B)

    found = reader.read_new_ops(A, 0)
    assert [o["seq"] for o in found.ops] == [1]
    assert found.notes == [
        "Changes from device a1a1a1a1a1a1a1a1 were made by a newer version of Followthrough; they "
        "wait in the sync folder, untouched, until Followthrough is updated on this computer."
    ]
    assert reader.read_new_ops(A, 1).notes == []
    assert path.read_bytes() == before


def test_device_info_says_who_a_peer_is_and_what_it_has_applied(tmp_path: Path) -> None:
    a, b = SyncFolder(tmp_path, A), SyncFolder(tmp_path, B)
    a.write_batch(ops(A, 1, 4))
    a.write_device_info("Laptop", {B: 7, A: 99}, NOW)
    (tmp_path / "followthrough-sync" / "v1" / "c3c3c3c3c3c3c3c3").mkdir()  # info not arrived

    peers = {info.device: info for info in b.read_peers()}
    assert peers[A].name == "Laptop"
    assert peers[A].applied == {B: 7}
    assert peers[A].wrote_at == NOW
    assert peers[A].written_seq == 4
    assert peers["c3c3c3c3c3c3c3c3"].name is None

    a.write_device_info("Work laptop", {B: 9}, NOW)
    assert {i.device: i.name for i in b.read_peers()}[A] == "Work laptop"
    assert sorted(p.name for p in a.own.iterdir()) == [
        "device.json", "ops-000000000001-000000000004.json.gz",
    ]  # fmt: skip


def test_a_missing_sync_folder_is_one_worded_error(tmp_path: Path) -> None:
    folder = SyncFolder(tmp_path / "unplugged", A)
    with pytest.raises(SyncFolderError, match=r"is not there .* Nothing is lost"):
        folder.write_batch(ops(A, 1, 1))
    with pytest.raises(SyncFolderError):
        folder.peer_devices()
    assert not (tmp_path / "unplugged").exists()  # never made: it may be a drive not mounted


def test_compaction_folds_batches_every_peer_has_applied(tmp_path: Path) -> None:
    a, newcomer = SyncFolder(tmp_path, A), SyncFolder(tmp_path, B)
    lead = {"name": "Ada", "state": "hot", "email": "ada@example.com"}
    a.write_batch([op(A, 1, tbl="lead", gid="L1", row=lead), op(A, 2), op(A, 3)])
    a.write_batch([
        op(A, 4, "update", tbl="lead", gid="L1", row={**lead, "state": "won"}, changed=["state"]),
        op(A, 5, "delete", gid=f"{A}:2", row=None),
    ])  # fmt: skip
    a.write_batch(ops(A, 6, 7))

    report = a.compact({B: 5})
    assert (report.folded_batches, report.covers_seq) == (2, 5)
    names = sorted(p.name for p in a.own.iterdir())
    assert names[0] == "ops-000000000006-000000000007.json.gz"
    assert len(names) == 2
    assert a.last_written_seq() == 7

    stored = newcomer.latest_snapshot(A)
    assert stored is not None
    assert stored.covers == {A: 5}
    assert stored.hlc == op(A, 5)["hlc"]
    snap = stored.snapshot
    assert snap["rows"]["lead"]["L1"] == {**lead, "state": "won"}
    assert snap["clock"]["lead"]["L1"]["state"] == op(A, 4)["hlc"]
    assert snap["clock"]["lead"]["L1"]["name"] == op(A, 1)["hlc"]
    # A deleted row keeps its values beside its delete's stamp: a later change made where the
    # delete was not known brings it back with them.
    assert set(snap["rows"]["event"]) == {f"{A}:2", f"{A}:3"}
    assert snap["deleted"]["event"] == {f"{A}:2": op(A, 5)["hlc"]}

    # A device that never saw the folded batches is told to start from the snapshot.
    assert newcomer.read_new_ops(A, 0).needs_snapshot
    assert [o["seq"] for o in newcomer.read_new_ops(A, 5).ops] == [6, 7]

    # Folding again builds on the last snapshot and drops the one it replaces.
    assert a.compact({B: 7}).covers_seq == 7
    assert [p.name for p in a.own.iterdir() if p.name.startswith("ops-")] == []
    assert [p.name.startswith("snapshot-") for p in a.own.iterdir()] == [True]
    again = newcomer.latest_snapshot(A)
    assert again is not None
    assert set(again.snapshot["rows"]["event"]) == {f"{A}:2", f"{A}:3", f"{A}:6", f"{A}:7"}


def test_compaction_keeps_what_a_peer_has_not_applied(tmp_path: Path) -> None:
    a = SyncFolder(tmp_path, A)
    a.write_batch(ops(A, 1, 3))
    a.write_batch(ops(A, 4, 6))
    assert a.compact({B: 5, "c3c3c3c3c3c3c3c3": 3}).covers_seq == 3
    assert a.compact({B: 0}).folded_batches == 0
    assert sorted(p.name for p in a.own.iterdir() if p.name.startswith("ops-")) == [
        "ops-000000000004-000000000006.json.gz"
    ]


def test_a_retired_device_is_not_waited_for_before_folding(tmp_path: Path) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    laptop.record(6)
    laptop.sync(batch_limit=2)
    desktop.sync()  # the desktop applied all six
    # The desktop's data went back to an older copy and goes on under a new id: its old
    # device.json says so, and it will never apply anything again.
    desktop.folder.write_device_info("Desktop (before a restore)", {A: 2}, NOW,
                                     retired_by="d4d4d4d4d4d4d4d4")  # fmt: skip
    assert laptop.sync(compact_after=2).compacted is not None
    assert [p.name for p in laptop.folder.own.iterdir() if p.name.startswith("ops-")] == []
    # Not retired, the same old device.json held every batch after its second change back.
    desktop.folder.write_device_info("Desktop", {A: 2}, NOW)
    laptop.record(4)
    laptop.sync(batch_limit=2, compact_after=1)
    assert sorted(p.name for p in laptop.folder.own.iterdir() if p.name.startswith("ops-")) == [
        "ops-000000000007-000000000008.json.gz",
        "ops-000000000009-000000000010.json.gz",
    ]


def test_a_forgotten_device_is_not_waited_for_until_it_writes_again(tmp_path: Path) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    desktop.folder.write_device_info("Desktop", {A: 0}, NOW)  # seen once, then never again
    laptop.record(4)
    laptop.sync(batch_limit=2, compact_after=1)
    assert len([p for p in laptop.folder.own.iterdir() if p.name.startswith("ops-")]) == 2
    # Forgotten here: published in our device.json, and the batches are folded away.
    later = NOW + timedelta(days=30)
    report = laptop.sync(compact_after=1, forgotten={B: later})
    assert report.compacted is not None
    assert [p for p in laptop.folder.own.iterdir() if p.name.startswith("ops-")] == []
    assert laptop.folder.peer_info(A).forgotten == {B: later}
    # It writes again after all: waited for again.
    desktop.folder.write_device_info("Desktop", {A: 4}, later + timedelta(hours=1))
    laptop.record(2)
    laptop.sync(batch_limit=1, compact_after=1, forgotten={B: later})
    assert sorted(p.name for p in laptop.folder.own.iterdir() if p.name.startswith("ops-")) == [
        "ops-000000000005-000000000005.json.gz",
        "ops-000000000006-000000000006.json.gz",
    ]


def test_a_sync_pass_sends_ours_and_applies_theirs_once(tmp_path: Path) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    laptop.record(5)
    desktop.record(3)

    sent = laptop.sync(batch_limit=2)
    assert (sent.sent, sent.batches, sent.applied) == (5, 3, {})
    got = desktop.sync()
    assert (got.sent, got.applied, got.notes) == (3, {A: 5}, [])
    back = laptop.sync()
    assert (back.sent, back.applied) == (0, {B: 3})

    # The same files fed through again: nothing is handed over twice.
    assert laptop.sync().applied == {}
    assert desktop.sync().applied == {}
    laptop.record(2)
    laptop.sync()
    desktop.sync()
    assert desktop.received == [(A, seq) for seq in range(1, 8)]
    assert laptop.received == [(B, seq) for seq in range(1, 4)]
    peers = {i.device: i for i in laptop.folder.read_peers()}
    assert peers[B].name == "Desktop"
    assert peers[B].applied == {A: 7}


def test_a_new_device_starts_from_a_snapshot_when_old_batches_are_compacted(
    tmp_path: Path,
) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    laptop.record(40)
    report = laptop.sync(batch_limit=4, compact_after=5)  # no peer yet: all of it is folded
    assert report.compacted is not None
    assert report.compacted.covers_seq == 40
    laptop.record(3)
    assert laptop.sync(batch_limit=4, compact_after=5).compacted is None  # one batch: not due

    started: list[StoredSnapshot] = []

    def apply_snapshot(snapshot: StoredSnapshot) -> None:
        started.append(snapshot)
        desktop.applied[A] = snapshot.covers[A]

    got = desktop.sync(apply_snapshot=apply_snapshot)
    assert [s.covers for s in started] == [{A: 40}]
    assert got.applied == {A: 3}
    assert desktop.received == [(A, 41), (A, 42), (A, 43)]
    assert len(started[0].snapshot["rows"]["event"]) == 40


def test_without_a_way_to_start_from_a_snapshot_nothing_is_applied_out_of_order(
    tmp_path: Path,
) -> None:
    laptop, desktop = Device(tmp_path, A, "Laptop"), Device(tmp_path, B, "Desktop")
    laptop.record(10)
    laptop.sync(batch_limit=2, compact_after=1)
    laptop.record(1)
    laptop.sync()
    assert desktop.sync().applied == {}
    assert desktop.received == []


def test_batches_are_compact_json(tmp_path: Path) -> None:
    path = SyncFolder(tmp_path, A).write_batch(ops(A, 1, 2))
    assert path is not None
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert (document["format"], document["device"], document["first"], document["last"]) == (
        1, A, 1, 2,
    )  # fmt: skip
