"""A sync pass whose database work takes its turn on the app's database thread.

service.sync_now does the whole pass on the caller's thread, which suits the command line.
In the app the sync folder may be a Dropbox or Nextcloud mount or a NAS share that is slow to
answer, so the folder is read and written on the watcher's own thread and only each read and
write of the database is handed to a `DatabaseTurn` (ui/ops.py Operations.call): a slow disk
never holds back the board's reads or the person's edits.

A pass also notes what each other device says of itself in its device.json (its name, when it
last wrote), so the faces can say "Synced 2 min ago with Desktop" and list the devices seen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from followthrough.services.clock import utcnow
from followthrough.services.sync.apply import ApplyReport, apply_ops
from followthrough.services.sync.folder import PeerInfo, SyncFolder
from followthrough.services.sync.folder_files import SyncFolderError
from followthrough.services.sync.folder_sync import sync_once
from followthrough.services.sync.record import ops_after, sync_status
from followthrough.services.sync.service import SyncPass, status
from followthrough.services.turns import DatabaseTurn, turn_for
from followthrough.store.db import Database
from followthrough.store.utc import stored_text


def sync_pass(target: Database | DatabaseTurn, now: datetime | None = None) -> SyncPass | None:
    """One pass, as service.sync_now; None when sync is not set up (no folder, or stopped).

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
    except SyncFolderError:
        _note_peers(turn, folder, now)  # read before the write failed: still worth saying
        raise
    _note_peers(turn, folder, now)
    return SyncPass(report, total, now)


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
