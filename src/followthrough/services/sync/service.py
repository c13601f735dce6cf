"""Sync as the faces use it: choose the folder, sync now, say how things stand.

The pieces: record.py keeps this device's changes as operations (the store's triggers),
folder.py and folder_sync.py write them to the sync folder and read the other devices',
apply.py merges what arrives. This module joins them for one pass and keeps the folder's
place in a setting of this device's own (never synced: each machine may mount it elsewhere).

Stopping forgets the folder and nothing else: the changes go on being recorded, and those
made meanwhile go out once a folder is set again. A database that went back in time (a
backup restored) is found at its next pass, by the folder holding changes of this device it
does not have, and goes on as a new device (record.fork_device).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from followthrough.domain.syncroots import check_sync_folder
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.services.setting_rows import put_setting
from followthrough.services.sync.apply import ApplyReport, apply_ops
from followthrough.services.sync.folder import PeerInfo, SyncFolder
from followthrough.services.sync.folder_files import SyncFolderError
from followthrough.services.sync.folder_sync import SyncReport, sync_once
from followthrough.services.sync.forget import forgotten, listed
from followthrough.services.sync.record import (
    ForkedDevice,
    SyncStatus,
    enable_sync,
    fork_device,
    ops_after,
    own_stamps,
    sync_status,
)
from followthrough.services.sync.snapshot import (
    load_snapshot,
    loaded_stamp,
    needs_snapshot,
    publish_snapshot,
)
from followthrough.services.turns import DatabaseTurn, turn_for
from followthrough.store.db import Database
from followthrough.store.models import Setting
from followthrough.store.utc import stored_text

log = logging.getLogger(__name__)

FOLDER_KEY = "sync.folder"  # this device's own: not on the synced list (store/sync_schema.py)
# This device's own too: how far the folder held its changes at its last pass. A restored
# backup holds an older mark, so the folder holding more is what says it went back.
PUBLISHED_KEY = "sync.published"


@dataclass(frozen=True)
class SyncPass:
    """What one pass did, for the faces."""

    report: SyncReport
    applied: ApplyReport  # everything merged this pass, summed
    at: datetime


def sync_folder(db: Database) -> Path | None:
    with db.read() as session:
        row = session.get(Setting, FOLDER_KEY)
        return Path(row.value["path"]) if row is not None and row.value else None


def set_sync_folder(
    db: Database, folder: str, device_name: str, now: datetime | None = None
) -> Path:
    """Sync through `folder` from now on, as `device_name`; the folder, resolved.

    The folder must exist (it is the sync engine's, perhaps on a drive not mounted yet: it
    is never created here) and must not hold the data folder or the database.
    """
    now = now or utcnow()
    text = folder.strip()
    if not text:
        raise InvalidData("say which folder to sync through", "sync_folder")
    path = Path(text).expanduser().resolve()
    if not path.is_dir():
        raise InvalidData(f"{path} is not a folder (is its drive attached?)", "sync_folder")
    check_sync_folder(path, db.path.parent.resolve(), db.path.resolve())
    device = enable_sync(db, device_name, now)
    with db.write() as session:
        put_setting(session, FOLDER_KEY, {"path": str(path)}, now)
    shared = SyncFolder(path, device)
    # What is here already was never an operation: the other devices start from this. Not
    # again in a folder that has this device's changes (set again after stopping): what was
    # done meanwhile is in the log, and goes as it is, where a snapshot would have every
    # other device merge all of this one's data again.
    if not _has_published(shared):
        publish_snapshot(db, shared)
    return path


def stop_syncing(db: Database) -> Path | None:
    """Sync no more: the folder is forgotten (returned; None when none was set), nothing in
    it or here is deleted. Changes are still recorded, so what is done meanwhile reaches the
    other devices if this one syncs again (set_sync_folder)."""
    with db.write() as session:
        row = session.get(Setting, FOLDER_KEY)
        if row is None:
            return None
        forgotten = Path(row.value["path"]) if row.value else None
        session.delete(row)
    return forgotten


def status(db: Database, now: datetime | None = None) -> tuple[SyncStatus, Path | None]:
    """How sync stands, and the folder in use: None when none is set, or when recording is
    off (stopped by an earlier version, which kept the folder and recorded nothing since)."""
    current = listed(sync_status(db, now), forgotten(db))
    return current, sync_folder(db) if current.enabled else None


def sync_now(db: Database, now: datetime | None = None) -> SyncPass:
    """One pass on the caller's thread (the command line); see `sync_pass`."""
    done = sync_pass(db, now)
    if done is None:
        raise InvalidData("no sync folder is set: `followthrough sync set-folder`", "sync_folder")
    return done


def sync_pass(target: Database | DatabaseTurn, now: datetime | None = None) -> SyncPass | None:
    """One pass: write this device's new changes, apply the other devices'; None when sync
    is not set up (no folder, or stopped).

    The folder is read and written on the caller's thread; each read and write of the
    database goes through `target` (services/turns.py): in the app the folder may be a slow
    network mount, which must never hold back the board's reads or the person's edits.
    SyncFolderError when the folder cannot be written: what could be read was applied all
    the same, and the error's `report` says how much (folder_sync.sync_once).
    """
    turn = turn_for(target)
    now = now or utcnow()
    current, root = turn(lambda db: status(db, now))
    if root is None or current.device is None:
        return None
    folder = SyncFolder(root, current.device)
    # Before anything is written: under its old id, this database's next changes would
    # take numbers the folder holds already, and the other devices would skip them.
    went_back = _go_on_if_restored(turn, folder, current.seq)
    if went_back is not None:
        _retire(folder, went_back.forked.new, current.device_name or current.device, now)
        folder = SyncFolder(root, went_back.forked.new)
    total = ApplyReport()
    _start_from_snapshots(turn, folder, now)
    written = 0  # how far the folder holds this device's changes, as the pass writes them

    def own_ops(seq: int, limit: int) -> list[dict[str, Any]]:
        nonlocal written
        written = max(written, seq)  # asked for what follows: all up to `seq` is there
        return turn(lambda db: ops_after(db, seq, limit))

    def apply(ops: Sequence[Mapping[str, Any]]) -> None:
        done = turn(lambda db: apply_ops(db, ops, now))
        total.applied += done.applied
        total.skipped += done.skipped
        total.waiting += done.waiting
        total.conflicts += done.conflicts
        total.touched_leads += done.touched_leads

    def applied_seqs() -> dict[str, int]:
        peers = turn(lambda db: sync_status(db, now)).peers
        return {peer.device: peer.applied_seq for peer in peers}

    try:
        report = sync_once(
            folder,
            device_name=current.device_name or current.device,
            ops_after=own_ops,
            apply=apply,
            applied_seqs=applied_seqs,
            now=now,
            forgotten=turn(forgotten),
        )
    except SyncFolderError as problem:
        if went_back is not None and isinstance(problem.report, SyncReport):
            problem.report.notes.append(went_back.note)
        raise
    finally:
        # Each device's name and when it last wrote, as its device.json says: read before
        # a failed write too, so the faces can still say who wrote when.
        _note_peers(turn, folder, now)
    if went_back is not None:
        report.notes.append(went_back.note)
    mark = _Published(folder.device, written, folder.latest_snapshot_stamp(folder.device))
    turn(partial(_remember_published, mark=mark, now=now))
    return SyncPass(report, total, now)


def _has_published(folder: SyncFolder) -> bool:
    """Whether the folder holds any change of this device (file names only)."""
    batches = folder.count_batches_up_to(sys.maxsize)
    return batches > 0 or folder.latest_snapshot_stamp(folder.device) is not None


# --- a database that went back in time ------------------------------------------------


@dataclass(frozen=True)
class _Published:
    """How far the folder held this device's changes at its last pass."""

    device: str
    seq: int
    snapshot: str | None  # the stamp of its newest snapshot there


def _published(db: Database) -> _Published | None:
    with db.read() as session:
        row = session.get(Setting, PUBLISHED_KEY)
        value = row.value if row is not None else None
    if not isinstance(value, dict) or not isinstance(value.get("seq"), int):
        return None
    snapshot = value.get("snapshot")
    return _Published(
        str(value.get("device")), value["seq"], snapshot if isinstance(snapshot, str) else None
    )


def _remember_published(db: Database, mark: _Published, now: datetime) -> None:
    if _published(db) == mark:
        return  # nothing new was written: no write at every pass
    value = {"device": mark.device, "seq": mark.seq, "snapshot": mark.snapshot}
    with db.write() as session:
        put_setting(session, PUBLISHED_KEY, value, now)


@dataclass(frozen=True)
class _WentBack:
    forked: ForkedDevice
    taken_back: int  # the old id's changes in the folder that this database did not have

    @property
    def note(self) -> str:
        return (
            "This copy of the data is older than what it had synced: it continues as a new "
            f"device and took back {self.taken_back:,} changes from the folder."
        )


def _go_on_if_restored(turn: DatabaseTurn, folder: SyncFolder, local_seq: int) -> _WentBack | None:
    """Go on as a new device when this database is older than what its device published."""
    found = _restored_to(turn, folder, local_seq)
    if found is None:
        return None
    shared, published = found
    forked = turn(partial(fork_device, shared_seq=shared))
    log.warning(
        "this database is older than what device %s published to %s (it holds its changes "
        "up to %d, the folder more): it goes on as device %s, with %d changes made since",
        forked.old, folder.root, forked.shared_seq, forked.new, forked.carried,
    )  # fmt: skip
    return _WentBack(forked, published - forked.shared_seq)


def _retire(old: SyncFolder, successor: str, name: str, now: datetime) -> None:
    """Say in the old id's device.json that it writes no more (the other devices then stop
    waiting for it before they fold their old batches), under a name that tells it apart."""
    try:
        applied = old.peer_info(old.device).applied
        old.write_device_info(f"{name} (before a restore)", applied, now,
                              written_seq=old.last_written_seq(), retired_by=successor)  # fmt: skip
    except (OSError, SyncFolderError):
        log.warning("could not mark device %s as retired in %s", old.device, old.root)


def _restored_to(turn: DatabaseTurn, folder: SyncFolder, local_seq: int) -> tuple[int, int] | None:
    """The last of this device's changes this database holds as the folder does, and the
    last the folder holds, when the folder holds later ones this database does not have (or
    has otherwise); None when it is not behind.

    Usually settled by file names alone: the folder holds nothing of this device's beyond
    what it held at the last pass. Otherwise the stamps of the changes the folder holds
    beyond that mark are compared with this database's: a restored backup may have made
    changes of its own since, numbered like the ones it lost.
    """
    mark = turn(_published)
    mark = mark if mark is not None and mark.device == folder.device else None
    if mark is not None and not _moved_since(folder, mark):
        return None
    known = mark.seq if mark is not None else 0
    published = folder.last_written_seq()
    if published <= known:
        return None
    start = shared = known
    found = folder.read_new_ops(folder.device, known)
    snapshot = folder.latest_snapshot(folder.device) if found.needs_snapshot else None
    if snapshot is not None:
        # The changes after the mark were folded into a snapshot: one of this database's is
        # there when its stamp is, and then so is every one before it.
        start = max(known, snapshot.covers.get(folder.device, 0))
        stamps = _stamps_in(snapshot.snapshot) | {snapshot.hlc}
        mine = turn(partial(own_stamps, after=known, upto=min(start, local_seq)))
        shared = max((seq for seq, hlc in mine.items() if hlc in stamps), default=known)
        if shared < min(start, local_seq):
            return shared, published
        found = folder.read_new_ops(folder.device, start)
    mine = turn(partial(own_stamps, after=start, upto=published))
    for op in found.ops:
        if mine.get(int(op["seq"])) != op["hlc"]:
            return shared, published
        shared = int(op["seq"])
    # All that could be read agrees: behind only if the folder holds more than this has.
    return (local_seq, published) if local_seq < published else None


def _stamps_in(snapshot: Mapping[str, Any]) -> set[str]:
    """Every stamp a snapshot holds: each field's last write ({tbl: {gid: {field: hlc}}})
    and each row's last delete ({tbl: {gid: hlc}})."""

    def inside(value: object) -> list[object]:
        return list(value.values()) if isinstance(value, dict) else []

    rows = [row for table in inside(snapshot.get("clock")) for row in inside(table)]
    found = [hlc for row in rows for hlc in inside(row)]
    found += [hlc for table in inside(snapshot.get("deleted")) for hlc in inside(table)]
    return {hlc for hlc in found if isinstance(hlc, str)}


def _moved_since(folder: SyncFolder, mark: _Published) -> bool:
    """Whether the folder holds changes of this device written since `mark` (names only)."""
    beyond = folder.count_batches_up_to(sys.maxsize) > folder.count_batches_up_to(mark.seq)
    return beyond or folder.latest_snapshot_stamp(folder.device) != mark.snapshot


def _start_from_snapshots(turn: DatabaseTurn, folder: SyncFolder, now: datetime) -> None:
    """Start from each other device's snapshot not taken in yet: what it held before it
    turned sync on (its operations then follow, as usual)."""
    for peer in folder.peer_devices():
        if peer == folder.device:
            continue
        # Its name first: a snapshot already started from is not unpacked at every pass.
        stamp = folder.latest_snapshot_stamp(peer)
        if stamp is None or turn(partial(loaded_stamp, peer=peer)) == stamp:
            continue
        snapshot = folder.latest_snapshot(peer)
        if snapshot is not None and turn(partial(needs_snapshot, peer=peer, snapshot=snapshot)):
            turn(partial(load_snapshot, stored=snapshot, now=now))


def _note_peers(turn: DatabaseTurn, folder: SyncFolder, now: datetime) -> None:
    try:
        peers = [peer for peer in folder.read_peers() if peer.name is not None]
    except (OSError, SyncFolderError):
        return  # the folder went away meanwhile: the pass itself says so
    if peers:
        turn(lambda db: note_peers(db, peers, now))


def note_peers(db: Database, peers: Sequence[PeerInfo], now: datetime) -> None:
    """Keep each device's name and when it last wrote, as its device.json says."""
    rows = [
        (peer.device, peer.name, stored_text(now), stored_text(peer.wrote_at)) for peer in peers
    ]
    with db.write() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO sync_peer (device, name, last_seen_at, last_wrote_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET name = excluded.name, "
            "last_seen_at = excluded.last_seen_at, "
            "last_wrote_at = coalesce(excluded.last_wrote_at, last_wrote_at)",
            rows,
        )
