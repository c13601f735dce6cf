"""Starting from another device's snapshot: how a device that joins later gets everything
that was there before sync was turned on (those rows were never operations).

When a device turns sync on with data of its own, it publishes a snapshot of every synced
row and the stamp of each field (`publish_snapshot`). Another device that has applied
nothing of it yet starts from that snapshot (`load_snapshot`), then applies the operations
after it. A snapshot is merged by the same rules as operations (apply_rows.Merger): a row
is an insert stamped with its oldest field stamp, then an update per later stamp for the
fields written then, so each field lands with its own stamp and the later write wins.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from followthrough.domain.syncmerge import DELETED_FIELD
from followthrough.services.setting_rows import put_setting
from followthrough.services.sync.apply import refresh_leads
from followthrough.services.sync.apply_merge import Merger
from followthrough.services.sync.apply_rows import Op, SyncRows
from followthrough.services.sync.folder import StoredSnapshot, SyncFolder
from followthrough.services.sync.record import applying, observe, sync_status
from followthrough.store.db import Database, driver_connection
from followthrough.store.models import Setting
from followthrough.store.sync_fill import snapshot_rows_sql
from followthrough.store.sync_schema import (
    BY_NAME,
    SYNCED_TABLES,
    synced_columns,
)

LOADED_KEY = "sync.snapshots"  # this device's own: peer → the snapshot stamp started from


def publish_snapshot(db: Database, folder: SyncFolder) -> bool:
    """Publish what this device holds, if anything; whether a snapshot was written."""
    with db.read() as session:
        snapshot = _snapshot(driver_connection(session))
    stamps = [
        h for fields in snapshot["clock"].values() for f in fields.values() for h in f.values()
    ] + [h for gids in snapshot["deleted"].values() for h in gids.values()]
    if not stamps:
        return False
    seq = sync_status(db).seq
    folder.write_snapshot(snapshot, {folder.device: seq}, max(stamps))
    return True


def _snapshot(driver: Any) -> dict[str, Any]:
    """Every synced row with its field stamps, the rows kept aside since their delete (or
    their lead's) among them, and each delete's stamp: all a device needs to decide as
    this one does when a later change arrives."""
    rows: dict[str, dict[str, Any]] = {}
    clock: dict[str, dict[str, dict[str, str]]] = {}
    deleted: dict[str, dict[str, str]] = {}
    for table in SYNCED_TABLES:
        columns = synced_columns(driver, table)
        found = driver.execute(snapshot_rows_sql(table, columns)).fetchall()
        found += driver.execute(
            "SELECT gid, row FROM sync_parked WHERE tbl = ?", (table.name,)
        ).fetchall()
        rows[table.name] = {gid: json.loads(row) for gid, row in found if gid}
        stamps: dict[str, dict[str, str]] = defaultdict(dict)
        gone: dict[str, str] = {}
        for gid, field, hlc in driver.execute(
            "SELECT gid, field, hlc FROM sync_clock WHERE tbl = ?", (table.name,)
        ):
            if field == DELETED_FIELD:
                gone[gid] = hlc
            elif gid in rows[table.name]:
                stamps[gid][field] = hlc
        if not table.has_int_id:
            gone.update(
                driver.execute(
                    "SELECT gid, deleted FROM sync_ids WHERE tbl = ? AND deleted IS NOT NULL",
                    (table.name,),
                ).fetchall()
            )
        clock[table.name] = dict(stamps)
        deleted[table.name] = gone
    return {"rows": rows, "clock": clock, "deleted": deleted}


def loaded_stamp(db: Database, peer: str) -> str | None:
    """The stamp of the snapshot of `peer` this device started from, if any."""
    with db.read() as session:
        row = session.get(Setting, LOADED_KEY)
        loaded = dict(row.value or {}) if row is not None else {}
    found = loaded.get(peer)
    return str(found) if found else None


def needs_snapshot(db: Database, peer: str, snapshot: StoredSnapshot) -> bool:
    """Whether this device has yet to start from `snapshot` of `peer`."""
    applied = {p.device: p.applied_seq for p in sync_status(db).peers}
    if applied.get(peer, 0) > snapshot.covers.get(peer, 0):
        return False
    return loaded_stamp(db, peer) != snapshot.hlc


def load_snapshot(db: Database, stored: StoredSnapshot, now: datetime) -> int:
    """Merge a peer's snapshot in one transaction; the rows it held."""
    rows = stored.snapshot.get("rows") or {}
    clocks = stored.snapshot.get("clock") or {}
    with db.write() as session:
        conn = session.connection()
        device = conn.exec_driver_sql("SELECT device FROM sync_state WHERE id = 1").scalar_one()
        merger = Merger(SyncRows(conn), str(device))
        count = 0
        with applying(session):
            for table in SYNCED_TABLES:  # parents first
                gone = dict((stored.snapshot.get("deleted") or {}).get(table.name) or {})
                table_rows = rows.get(table.name) or {}
                for gid in [*table_rows, *(g for g in gone if g not in table_rows)]:
                    row = table_rows.get(gid)
                    for op in _as_ops(stored, table.name, gid, row, clocks.get(table.name, {})):
                        merger.apply(op)
                    if gid in gone:
                        merger.apply(Op(str(gone[gid]), stored.device, 0, BY_NAME[table.name],
                                        gid, "delete", row, None))  # fmt: skip
                    count += 1
        if stored.hlc:
            observe(session, stored.hlc, now)
        # As after operations (apply.apply_in_session): this device's own change, recorded,
        # so an alert it clears is cleared alike on the others.
        refresh_leads(session, merger.live_touched_leads(), now)
        for peer, seq in stored.covers.items():
            conn.exec_driver_sql(
                "INSERT INTO sync_peer (device, applied_seq) VALUES (?, ?) ON CONFLICT (device) "
                "DO UPDATE SET applied_seq = max(applied_seq, excluded.applied_seq)",
                (peer, int(seq)),
            )
        current = session.get(Setting, LOADED_KEY)
        loaded = dict(current.value or {}) if current is not None else {}
        put_setting(session, LOADED_KEY, {**loaded, stored.device: stored.hlc}, now)
        session.expire_all()
    return count


def _as_ops(
    stored: StoredSnapshot, tbl: str, gid: str, row: dict[str, Any] | None, clocks: dict[str, Any]
) -> list[Op]:
    """A row as operations: its values, then an update per stamp for the fields written
    then, so each field lands with its own stamp. A value with no stamp (a folded change to
    a row another device made) is only what stands for the row until its own insert comes:
    for a table with ids it arrives as an update that writes no field."""
    if row is None:
        return []
    stamps = clocks.get(gid) or {}
    by_stamp: dict[str, list[str]] = defaultdict(list)
    for field in row:
        if stamps.get(field):
            by_stamp[str(stamps[field])].append(field)
        elif not BY_NAME[tbl].has_int_id:
            by_stamp[stored.hlc].append(field)
    table = BY_NAME[tbl]
    ordered = sorted(by_stamp)
    if table.has_int_id:
        first = Op(ordered[0] if ordered else stored.hlc, stored.device, 0, table, gid,
                   "update", row, [])  # fmt: skip
        return [first] + [
            Op(h, stored.device, 0, table, gid, "update", row, by_stamp[h]) for h in ordered
        ]
    ops = [Op(ordered[0], stored.device, 0, table, gid, "insert", row, None)]
    ops += [Op(h, stored.device, 0, table, gid, "update", row, by_stamp[h]) for h in ordered[1:]]
    return ops
