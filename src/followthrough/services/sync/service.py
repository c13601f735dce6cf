"""Sync as the faces use it: choose the folder, sync now, say how things stand.

The pieces: record.py keeps this device's changes as operations (the store's triggers),
folder.py and folder_sync.py write them to the sync folder and read the other devices',
apply.py merges what arrives. This module joins them for one pass and keeps the folder's
place in a setting of this device's own (never synced: each machine may mount it elsewhere).
"""

from __future__ import annotations

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
from followthrough.services.sync.record import SyncStatus, enable_sync, ops_after, sync_status
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

FOLDER_KEY = "sync.folder"  # this device's own: not on the synced list (store/sync_schema.py)


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
    # What is here already was never an operation: the other devices start from this.
    publish_snapshot(db, SyncFolder(path, device))
    return path


def status(db: Database, now: datetime | None = None) -> tuple[SyncStatus, Path | None]:
    return sync_status(db, now), sync_folder(db)


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
    if root is None or not current.enabled or current.device is None:
        return None
    folder = SyncFolder(root, current.device)
    total = ApplyReport()
    _start_from_snapshots(turn, folder, now)

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
            ops_after=lambda seq, limit: turn(lambda db: ops_after(db, seq, limit)),
            apply=apply,
            applied_seqs=applied_seqs,
            now=now,
        )
    finally:
        # Each device's name and when it last wrote, as its device.json says: read before
        # a failed write too, so the faces can still say who wrote when.
        _note_peers(turn, folder, now)
    return SyncPass(report, total, now)


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
