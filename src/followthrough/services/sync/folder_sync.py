"""One sync pass through the folder: publish our new operations, take in everyone else's.

The pass is given callables rather than a database, so that it stays a thing about files:
  ops_after(seq, limit) -> this device's ops with seq > `seq`, at most `limit`, in seq order;
  apply(ops)            -> apply a peer's ops (the applier skips any it already has);
  applied_seqs()        -> {device: highest seq of that device applied here, all lower too};
  apply_snapshot(s)     -> start from a peer's snapshot, when its older batches are gone.
Our operations stay in the local log whatever happens to the folder: a pass that cannot write
leaves them there and the next pass writes them, from the highest seq the folder holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from followthrough.services.sync.device_info import PeerInfo, still_forgotten
from followthrough.services.sync.folder import CompactReport, StoredSnapshot, SyncFolder
from followthrough.services.sync.folder_files import SyncFolderError

Op = dict[str, Any]
OpsAfter = Callable[[int, int], list[Op]]
ApplyOps = Callable[[list[Op]], object]
AppliedSeqs = Callable[[], Mapping[str, int]]
ApplySnapshot = Callable[[StoredSnapshot], object]

BATCH_LIMIT = 500  # ops per published batch: small enough for a slow engine to copy whole
APPLY_CHUNK = 2000  # ops per apply call: one transaction each, so none holds the database long
COMPACT_AFTER = 64  # own batches every peer has applied before they are folded into a snapshot


@dataclass
class SyncReport:
    """What one pass did: ops sent, ops handed to the applier per peer, notes for the person."""

    sent: int = 0
    batches: int = 0
    applied: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    compacted: CompactReport | None = None


def sync_once(
    folder: SyncFolder,
    *,
    device_name: str,
    ops_after: OpsAfter,
    apply: ApplyOps,
    applied_seqs: AppliedSeqs,
    now: datetime,
    apply_snapshot: ApplySnapshot | None = None,
    batch_limit: int = BATCH_LIMIT,
    compact_after: int = COMPACT_AFTER,
    forgotten: Mapping[str, datetime] | None = None,
) -> SyncReport:
    """One pass; a folder that refuses writes raises SyncFolderError after peers are read.

    Reading goes on when writing fails (a read-only share still brings the other devices'
    changes); the error, raised at the end, carries the pass's report as `.report`.
    """
    report = SyncReport()
    problem: SyncFolderError | None = None
    try:
        _send(folder, ops_after, batch_limit, report)
    except SyncFolderError as refused:
        problem = refused
    peers = folder.peer_devices()  # a missing folder raises here: there is nothing to read
    for peer in peers:
        _take_in(folder, peer, apply, applied_seqs, apply_snapshot, report)
    if problem is None:
        try:
            folder.write_device_info(device_name, applied_seqs(), now, forgotten=forgotten)
            report.compacted = _compact_if_due(folder, peers, compact_after)
        except SyncFolderError as refused:
            problem = refused
    if problem is not None:
        problem.report = report
        raise problem
    return report


def _send(folder: SyncFolder, ops_after: OpsAfter, limit: int, report: SyncReport) -> None:
    written = folder.last_written_seq()
    while True:
        ops = ops_after(written, limit)
        if not ops:
            return
        folder.write_batch(ops)
        report.sent += len(ops)
        report.batches += 1
        written = max(int(op["seq"]) for op in ops)


def _take_in(
    folder: SyncFolder,
    peer: str,
    apply: ApplyOps,
    applied_seqs: AppliedSeqs,
    apply_snapshot: ApplySnapshot | None,
    report: SyncReport,
) -> None:
    after = applied_seqs().get(peer, 0)
    found = folder.read_new_ops(peer, after)
    if found.needs_snapshot:
        snapshot = folder.latest_snapshot(peer)
        if snapshot is None or apply_snapshot is None:
            report.notes.extend(found.notes)
            return
        apply_snapshot(snapshot)
        after = max(applied_seqs().get(peer, 0), snapshot.covers.get(peer, 0))
        found = folder.read_new_ops(peer, after)
    report.notes.extend(found.notes)
    for start in range(0, len(found.ops), APPLY_CHUNK):
        apply(found.ops[start : start + APPLY_CHUNK])
    if found.ops:
        report.applied[peer] = len(found.ops)


def _gone(peer: PeerInfo, everyone: Iterable[PeerInfo]) -> bool:
    """A device no one need wait for: retired (its data went on under a new id after a
    restore) or forgotten by some device (forget.py), ours included, and silent since."""
    if peer.retired_by is not None:
        return True
    return any(still_forgotten(peer.wrote_at, peer.device, o.forgotten) for o in everyone)


def _compact_if_due(folder: SyncFolder, peers: list[str], due: int) -> CompactReport | None:
    infos = {info.device: info for info in folder.read_peers()}
    everyone = [*infos.values(), folder.peer_info(folder.device)]
    mine = {
        peer: infos[peer].applied.get(folder.device, 0)
        for peer in peers
        if peer in infos and not _gone(infos[peer], everyone)
    }
    safe = min(mine.values(), default=folder.last_written_seq())
    if folder.count_batches_up_to(safe) < due:
        return None
    return folder.compact(mine)
