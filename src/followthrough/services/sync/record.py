"""This device's side of sync: turning recording on, its clock, its changes as the other
devices read them, and going on as a new device when the database went back in time.

The recording itself is done by the store's triggers (store/sync_schema.py), in the same
transaction as each write; this module owns the one `sync_state` row they read.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from followthrough.domain.hlc import Clock, check_device_name, format_hlc, parse_hlc, receive, tick
from followthrough.errors import InvalidData
from followthrough.services.clock import utcnow
from followthrough.services.sync.fork_log import carry_ops
from followthrough.store.db import Database, driver_connection
from followthrough.store.sync_fill import fill_existing
from followthrough.store.sync_schema import BY_NAME, SyncedTable
from followthrough.store.utc import utc_from_stored

OPS_PAGE = 1000


@dataclass(frozen=True)
class PeerStatus:
    device: str
    name: str | None
    applied_seq: int
    last_seen_at: datetime | None
    last_wrote_at: datetime | None


@dataclass(frozen=True)
class SyncStatus:
    enabled: bool
    device: str | None  # None until sync is first enabled
    device_name: str | None
    seq: int  # the last change this device recorded
    clock: str | None  # this device's clock now, as a stamp
    peers: tuple[PeerStatus, ...]


def _now_ms(now: datetime) -> int:
    return int(now.timestamp() * 1000)


def _state(conn: Connection) -> tuple[str | None, Clock, int]:
    row = conn.exec_driver_sql(
        "SELECT device, wall, counter, skew_ms FROM sync_state WHERE id = 1"
    ).one()
    return row[0], Clock(int(row[1]), int(row[2])), int(row[3])


def _set_clock(conn: Connection, clock: Clock) -> None:
    conn.exec_driver_sql(
        "UPDATE sync_state SET wall = ?, counter = ? WHERE id = 1", (clock.wall, clock.counter)
    )


def enable_sync(db: Database, device_name: str, now: datetime | None = None) -> str:
    """Start recording this device's changes; returns its id (kept if it had one).

    Every synced row gets its gid and every field its stamp, at this moment's clock: what
    the device has is then known to be as of now. Nothing else is recorded for existing rows
    (another device starts from this one's snapshot, not from a replay).
    """
    name = check_device_name(device_name)
    now = now or utcnow()
    with db.write() as session:
        conn = session.connection()
        device, clock, skew = _state(conn)
        device = device or secrets.token_hex(8)
        clock = tick(clock, _now_ms(now) + skew)
        conn.exec_driver_sql(
            "UPDATE sync_state SET device = ?, device_name = ?, enabled = 1, applying = 0, "
            "wall = ?, counter = ? WHERE id = 1",
            (device, name, clock.wall, clock.counter),
        )
        fill_existing(driver_connection(session), format_hlc(clock, device))
    return device


def disable_sync(db: Database) -> None:
    """Pause recording, to measure what it costs (tests/bench/sync_write.py); enabling again
    goes on with the same id, gids and log.

    Never the faces' "stop syncing": what is changed while paused is never sent. Stopping
    forgets the folder and keeps recording (services/sync/service.stop_syncing).
    """
    with db.write() as session:
        session.connection().exec_driver_sql("UPDATE sync_state SET enabled = 0 WHERE id = 1")


def sync_status(db: Database, now: datetime | None = None) -> SyncStatus:
    with db.read() as session:
        conn = session.connection()
        row = conn.exec_driver_sql(
            "SELECT enabled, device, device_name, seq FROM sync_state WHERE id = 1"
        ).one()
        device, clock, _ = _state(conn)
        peers = conn.exec_driver_sql(
            "SELECT device, name, applied_seq, last_seen_at, last_wrote_at FROM sync_peer "
            "ORDER BY name, device"
        ).all()
    return SyncStatus(
        enabled=bool(row[0]),
        device=device,
        device_name=row[2],
        seq=int(row[3]),
        clock=format_hlc(clock, device) if device else None,
        peers=tuple(
            PeerStatus(p[0], p[1], int(p[2]), _stored_time(p[3]), _stored_time(p[4])) for p in peers
        ),
    )


def _stored_time(value: Any) -> datetime | None:
    return None if value is None else utc_from_stored(str(value))


def ops_after(db: Database, seq: int, limit: int = OPS_PAGE) -> list[dict[str, Any]]:
    """This device's changes after `seq`, oldest first, as exchanged (at most `limit`)."""
    with db.read() as session:
        conn = session.connection()
        device = conn.exec_driver_sql("SELECT device FROM sync_state WHERE id = 1").scalar()
        rows = conn.exec_driver_sql(
            "SELECT seq, hlc, tbl, gid, kind, row, changed FROM sync_op WHERE seq > ? "
            "ORDER BY seq LIMIT ?",
            (seq, limit),
        ).all()
    return [
        {
            "hlc": r[1],
            "device": device,
            "seq": int(r[0]),
            "tbl": r[2],
            "gid": r[3],
            "kind": r[4],
            "row": json.loads(r[5]),
            "changed": None if r[6] is None else json.loads(r[6]),
        }
        for r in rows
    ]


def observe(target: Database | Session, remote_hlc: str, now: datetime | None = None) -> str:
    """Move this device's clock past a stamp received from another device (the applier calls
    it for each op it applies), so whatever this device does next sorts after it. Returns
    the clock as a stamp. In `target`'s transaction when given a session."""
    remote = parse_hlc(remote_hlc)
    now_ms = _now_ms(now or utcnow())
    if isinstance(target, Session):
        return _observe(target.connection(), remote.clock, now_ms)
    with target.write() as session:
        return _observe(session.connection(), remote.clock, now_ms)


def _observe(conn: Connection, remote: Clock, now_ms: int) -> str:
    device, clock, skew = _state(conn)
    clock = receive(clock, remote, now_ms + skew)
    _set_clock(conn, clock)
    return format_hlc(clock, device or "0")


@contextmanager
def applying(session: Session) -> Iterator[None]:
    """Within this block of `session`'s transaction, writes are not recorded: the applier
    writes other devices' changes, which are theirs, not this device's."""
    conn = session.connection()
    conn.exec_driver_sql("UPDATE sync_state SET applying = 1 WHERE id = 1")
    try:
        yield
    finally:
        conn.exec_driver_sql("UPDATE sync_state SET applying = 0 WHERE id = 1")


def local_id(conn: Connection, tbl: str, gid: str) -> int | None:
    """The local id of the live row `gid` of `tbl` (None: unknown here, or deleted)."""
    table = _table(tbl)
    if not table.has_int_id:
        raise InvalidData(f"{tbl} rows are known by their key, which is their gid", "tbl")
    value = conn.exec_driver_sql(
        "SELECT local_id FROM sync_ids WHERE tbl = ? AND gid = ? AND local_id IS NOT NULL",
        (tbl, gid),
    ).scalar()
    return None if value is None else int(value)


def gid_of(conn: Connection, tbl: str, local: int | str) -> str | None:
    """The gid of a live row of `tbl` by its local id (or, for setting and mail_seen, key)."""
    table = _table(tbl)
    if not table.has_int_id:
        return str(local)
    value = conn.exec_driver_sql(
        "SELECT gid FROM sync_ids WHERE tbl = ? AND local_id = ?", (tbl, local)
    ).scalar()
    return None if value is None else str(value)


def _table(tbl: str) -> SyncedTable:
    table = BY_NAME.get(tbl)
    if table is None:
        raise InvalidData(f"{tbl!r} is not a synced table", "tbl")
    return table


# --- going on as a new device ---------------------------------------------------------


@dataclass(frozen=True)
class ForkedDevice:
    """This database going on under a new device id (`fork_device`)."""

    old: str
    new: str
    shared_seq: int  # the old id's changes this database holds; the folder has the rest
    carried: int  # changes made here since it went back: now the new id's first


def own_stamps(db: Database, after: int, upto: int) -> dict[int, str]:
    """The stamp of each of this device's changes numbered after `after`, up to `upto`."""
    with db.read() as session:
        rows = (
            session.connection()
            .exec_driver_sql(
                "SELECT seq, hlc FROM sync_op WHERE seq > ? AND seq <= ?", (after, upto)
            )
            .all()
        )
    return {int(seq): str(hlc) for seq, hlc in rows}


def fork_device(db: Database, shared_seq: int) -> ForkedDevice:
    """Go on as a new device: this database is older than what its device published (a
    backup restored, an earlier copy of the file). Under its id, its next changes would take
    the numbers, and the rows it adds the names, of changes the other devices already have:
    they would skip them as applied, or take one row for another.

    `shared_seq` is the last of this device's changes this database holds as the sync folder
    does. The old id becomes a peer applied up to there, so its later changes (made before
    the database went back) are applied here from the folder like another device's. Changes
    made here since are kept as the new id's first, the rows they added renamed as the new
    id names its rows; the rest of the log is in the folder already and goes.
    """
    with db.write() as session:
        conn = session.connection()
        old, name, seq = conn.exec_driver_sql(
            "SELECT device, device_name, seq FROM sync_state WHERE id = 1"
        ).one()
        if not old:
            raise InvalidData("sync is not set up on this device", "sync")
        shared = max(0, min(shared_seq, int(seq)))
        new = secrets.token_hex(8)
        carried = carry_ops(conn, str(old), new, shared)
        conn.exec_driver_sql(
            "UPDATE sync_state SET device = ?, seq = ? WHERE id = 1", (new, carried)
        )
        conn.exec_driver_sql(
            "INSERT INTO sync_peer (device, name, applied_seq) VALUES (?, ?, ?) "
            "ON CONFLICT (device) DO UPDATE SET name = excluded.name, "
            "applied_seq = excluded.applied_seq",
            (old, name, shared),
        )
    return ForkedDevice(str(old), new, shared, carried)
