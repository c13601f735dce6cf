"""A sync folder: where each device publishes its own operations and reads everyone else's.

Layout (see the sync contract): <root>/followthrough-sync/v1/<device>/ holds that device's
immutable batches `ops-<first>-<last>.json.gz`, its snapshots `snapshot-<hlc>.json.gz` and its
`device.json` (name, what it has applied of each device, when it last wrote). A device writes
only in its own folder and never changes a published batch or snapshot, which is what lets any
replicating engine (Syncthing, Dropbox, Nextcloud, a NAS share) copy the folder safely: there
is never a conflict to resolve, only files that have or have not arrived yet.

This module knows files, not the database: the operations come and go as plain dicts, and
the sync pass (folder_sync.sync_once) is given callables to read and apply them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from followthrough.services.sync.device_info import (
    PeerInfo,
    device_document,
    is_seq,
    parse_device_info,
)
from followthrough.services.sync.folder_files import (
    BATCH_NAME,
    DEVICE_FILE,
    DEVICE_ID,
    FORMAT,
    SNAPSHOT_NAME,
    TEMP_PREFIX,
    TOP,
    VERSION_DIR,
    SyncFolderError,
    Unreadable,
    batch_name,
    folder_problem,
    pack,
    plain_json,
    read_document,
    snapshot_name,
    write_whole,
)
from followthrough.services.sync.folder_fold import Snapshot, fold_ops

__all__ = ["CompactReport", "NewOps", "PeerInfo", "StoredSnapshot", "SyncFolder", "SyncFolderError"]

Op = dict[str, Any]
T = TypeVar("T")
# A temporary file this old in our own folder is the leftover of a writer that died.
STALE_TEMP_SECONDS = 600


@dataclass
class NewOps:
    """A peer's operations after a seq, contiguous from it; why reading stopped, if it did."""

    ops: list[Op] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The peer's batches after `after_seq` were folded into its snapshot: start from that.
    needs_snapshot: bool = False


@dataclass(frozen=True)
class StoredSnapshot:
    device: str
    hlc: str
    covers: dict[str, int]
    snapshot: Snapshot


@dataclass(frozen=True)
class CompactReport:
    folded_batches: int
    covers_seq: int


class SyncFolder:
    """One device's view of a sync folder rooted at `root` (a folder the person chose)."""

    def __init__(self, root: Path, device: str, format: int = FORMAT) -> None:
        if not DEVICE_ID.match(device):
            raise ValueError(f"not a device id: {device!r}")
        self.root = Path(root)
        self.device = device
        self.format = format
        self.base = self.root / TOP / VERSION_DIR
        self.own = self.base / device
        self._noted: set[str] = set()

    # ----- writing (only ever in our own folder) -----

    def write_batch(self, ops: Iterable[Op]) -> Path | None:
        """Publish `ops` (this device's, consecutive seqs) as one immutable batch file.

        None when there is nothing to write or the batch is already published (the same seqs
        of the local log always hold the same operations, so it is never written again).
        """
        batch = sorted(ops, key=lambda op: int(op["seq"]))
        if not batch:
            return None
        seqs = [int(op["seq"]) for op in batch]
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise ValueError("a batch holds consecutive seqs")
        first, last = seqs[0], seqs[-1]
        document = {"format": self.format, "device": self.device, "first": first, "last": last}
        document["ops"] = batch
        target = self.own / batch_name(first, last)
        written = self._writing(lambda: write_whole(target, pack(document), replace=False))
        return target if written else None

    def write_device_info(
        self,
        name: str,
        applied: Mapping[str, int],
        now: datetime,
        written_seq: int | None = None,
        retired_by: str | None = None,
        forgotten: Mapping[str, datetime] | None = None,
    ) -> Path:
        """Rewrite device.json (temp + rename): the one file of ours that is ever replaced."""
        seq = self.last_written_seq() if written_seq is None else written_seq
        document = device_document(self.format, self.device, name, applied, now, seq,
                                   retired_by=retired_by, forgotten=forgotten)  # fmt: skip
        # Plain JSON, not gzip: a person looking into the folder can read which device is which.
        target = self.own / DEVICE_FILE
        raw = plain_json(document)
        self._writing(lambda: write_whole(target, raw, replace=True))
        return target

    def write_snapshot(
        self, snapshot: Snapshot, covers: Mapping[str, int], hlc: str | None = None
    ) -> Path:
        """Publish a snapshot covering each device's ops up to `covers[device]`, named by HLC."""
        stamp = hlc or snapshot.get("hlc")
        if not isinstance(stamp, str) or not SNAPSHOT_NAME.match(snapshot_name(stamp)):
            raise ValueError("a snapshot is named by the HLC of the last change it holds")
        document = {"format": self.format, "device": self.device, "hlc": stamp}
        document["covers"] = {device: int(seq) for device, seq in covers.items()}
        document["snapshot"] = snapshot
        target = self.own / snapshot_name(stamp)
        self._writing(lambda: write_whole(target, pack(document), replace=False))
        return target

    def compact(self, applied_by_peers: Mapping[str, int]) -> CompactReport:
        """Fold our batches every peer has applied into a snapshot, then delete them.

        `applied_by_peers` is each peer's applied seq of *our* operations (from its
        device.json). The new snapshot is published before any batch goes, so a device that
        joins at any moment finds either the batches or a snapshot that covers them.
        """
        safe = min(applied_by_peers.values(), default=self.last_written_seq())
        base = self.latest_snapshot(self.device)
        covered = base.covers.get(self.device, 0) if base else 0
        batches = self._batches(self.device)
        folding: list[tuple[Path, list[Op]]] = []
        expected = covered + 1
        for first, last, path in batches:
            if last <= covered or last > safe:
                continue
            if first != expected:
                break
            try:
                ops = _batch_ops(read_document(path, ours=self.format), first, last)
            except Unreadable:
                break  # our own file, damaged: keep it and everything after it
            folding.append((path, ops))
            expected = last + 1
        if folding:
            ops = [op for _, batch in folding for op in batch]
            snapshot = fold_ops(base.snapshot if base else None, ops)
            covers = dict(base.covers) if base else {}
            covers[self.device] = expected - 1
            self.write_snapshot(snapshot, covers, hlc=str(ops[-1]["hlc"]))
            covered = expected - 1
        self._writing(lambda: self._drop_folded(covered, batches))
        return CompactReport(folded_batches=len(folding), covers_seq=covered)

    def _drop_folded(self, covered: int, batches: list[tuple[int, int, Path]]) -> None:
        for _, last, path in batches:
            if last <= covered:
                path.unlink(missing_ok=True)
        latest = self.latest_snapshot(self.device)
        for path in self._snapshot_paths(self.device):
            if latest and path.name != snapshot_name(latest.hlc):
                path.unlink(missing_ok=True)

    def _writing(self, write: Callable[[], T]) -> T:
        """Run a write in our folder, made first; a refusal becomes one worded error."""
        if not self.root.is_dir():
            raise folder_problem(self.root, FileNotFoundError(2, "missing", str(self.root)))
        try:
            self.own.mkdir(parents=True, exist_ok=True)
            self._sweep_stale_temps()
            return write()
        except OSError as error:
            raise folder_problem(self.root, error) from error

    def _sweep_stale_temps(self) -> None:
        limit = time.time() - STALE_TEMP_SECONDS
        for entry in os.scandir(self.own):
            if entry.name.startswith(TEMP_PREFIX):
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < limit:
                        os.unlink(entry.path)
                except FileNotFoundError:
                    pass

    # ----- reading -----

    def last_written_seq(self) -> int:
        """The highest seq of ours the folder holds (a batch or our latest snapshot)."""
        lasts = [last for _, last, _ in self._batches(self.device)]
        snapshot = self.latest_snapshot(self.device)
        if snapshot:
            lasts.append(snapshot.covers.get(self.device, 0))
        return max(lasts, default=0)

    def count_batches_up_to(self, seq: int) -> int:
        """How many of our batches hold only seqs up to `seq` (what compaction would fold)."""
        return sum(1 for _, last, _ in self._batches(self.device) if last <= seq)

    def peer_devices(self) -> list[str]:
        """Every other device with a folder here, whether or not its device.json has arrived."""
        self._require_root()
        try:
            entries = list(os.scandir(self.base))
        except FileNotFoundError:
            return []
        except OSError as error:
            raise folder_problem(self.root, error) from error
        return sorted(
            e.name
            for e in entries
            if e.name != self.device and DEVICE_ID.match(e.name) and e.is_dir(follow_symlinks=False)
        )

    def read_peers(self) -> list[PeerInfo]:
        return [self.peer_info(device) for device in self.peer_devices()]

    def peer_info(self, device: str) -> PeerInfo:
        path = self.base / device / DEVICE_FILE
        try:
            document = read_document(path, gz=False, ours=self.format)
        except Unreadable:
            return PeerInfo(device, None, {}, None, 0)
        return parse_device_info(device, document)

    def read_new_ops(self, peer: str, after_seq: int) -> NewOps:
        """The peer's operations after `after_seq`, in seq order and without a gap.

        Reading stops before the first file that is not complete yet (it comes at a later
        sync); files that are not batches of ours (temporary names, an engine's conflict
        copies) are never opened.
        """
        if not DEVICE_ID.match(peer):
            raise ValueError(f"not a device id: {peer!r}")
        found = NewOps()
        expected = after_seq + 1
        for first, last, path in self._batches(peer):
            if last < expected:
                continue
            if first > expected:
                found.needs_snapshot = not found.ops and self._snapshot_covers(peer, first - 1)
                break
            try:
                ops = _batch_ops(read_document(path, ours=self.format), first, last)
            except Unreadable as problem:
                self._note(found, peer, path, problem)
                break
            found.ops.extend(op for op in ops if int(op["seq"]) >= expected)
            expected = last + 1
        return found

    def latest_snapshot_stamp(self, device: str) -> str | None:
        """The stamp of `device`'s newest snapshot, from its name alone (nothing unpacked)."""
        paths = self._snapshot_paths(device)
        found = SNAPSHOT_NAME.match(paths[-1].name) if paths else None
        return found.group(1) if found else None

    def latest_snapshot(self, device: str | None = None) -> StoredSnapshot | None:
        """The newest readable snapshot of `device` (ours when None), for a device to start from."""
        owner = device or self.device
        for path in reversed(self._snapshot_paths(owner)):
            try:
                document = read_document(path, ours=self.format)
            except Unreadable:
                continue
            covers, snapshot = document.get("covers"), document.get("snapshot")
            hlc = document.get("hlc")
            if isinstance(covers, dict) and isinstance(snapshot, dict) and isinstance(hlc, str):
                counted = {str(k): v for k, v in covers.items() if is_seq(v)}
                return StoredSnapshot(owner, hlc, counted, snapshot)
        return None

    def _snapshot_covers(self, device: str, seq: int) -> bool:
        snapshot = self.latest_snapshot(device)
        return snapshot is not None and snapshot.covers.get(device, 0) >= seq

    def _note(self, found: NewOps, peer: str, path: Path, problem: Unreadable) -> None:
        key = f"{peer}/{path.name}/{problem}"
        if key in self._noted:
            return
        self._noted.add(key)
        who = self.peer_info(peer).name or f"device {peer}"
        if problem.newer:
            found.notes.append(
                f"Changes from {who} were made by a newer version of Followthrough; they wait "
                "in the sync folder, untouched, until Followthrough is updated on this computer."
            )
        else:
            found.notes.append(
                f"A sync file from {who} ({path.name}) {problem}; it is read again at the next "
                "sync, once the folder's copying engine has finished it."
            )

    def _require_root(self) -> None:
        if not self.root.is_dir():
            raise folder_problem(self.root, FileNotFoundError(2, "missing", str(self.root)))

    def _listing(self, device: str) -> list[str]:
        try:
            return os.listdir(self.base / device)
        except FileNotFoundError:
            return []
        except OSError as error:
            raise folder_problem(self.root, error) from error

    def _batches(self, device: str) -> list[tuple[int, int, Path]]:
        """(first, last, path) of each batch-named file, by first seq (zero-length left out)."""
        out = []
        folder = self.base / device
        for name in self._listing(device):
            matched = BATCH_NAME.match(name)
            if not matched:
                continue
            first, last = int(matched[1]), int(matched[2])
            path = folder / name
            if first < 1 or last < first or _empty(path):
                continue
            out.append((first, last, path))
        return sorted(out)

    def _snapshot_paths(self, device: str) -> list[Path]:
        folder = self.base / device
        names = sorted(n for n in self._listing(device) if SNAPSHOT_NAME.match(n))
        return [folder / n for n in names if not _empty(folder / n)]


def _empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return True


def _batch_ops(document: dict[str, Any], first: int, last: int) -> list[Op]:
    """The batch's ops, checked to be exactly seqs first..last (else it is not whole)."""
    ops = document.get("ops")
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise Unreadable("is not a Followthrough sync file")
    seqs = [op.get("seq") for op in ops]
    if seqs != list(range(first, last + 1)):
        raise Unreadable("does not hold the changes its name says")
    return ops
