"""Devices for the applier's tests: each a real database file in its own folder, sync on,
exchanging operations the way the sync folder carries them (services/sync/record.ops_after
out, services/sync/apply.apply_ops in)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from followthrough.paths import prepare_data_dir
from followthrough.services.sync.apply import ApplyReport, apply_ops
from followthrough.services.sync.record import enable_sync, ops_after
from followthrough.store.db import Database
from followthrough.store.sync_schema import SYNCED_TABLES

Op = dict[str, Any]


@dataclass
class Device:
    name: str
    db: Database
    id: str

    def ops(self) -> list[Op]:
        return ops_after(self.db, 0, limit=1_000_000)

    def receive(self, ops: Iterable[Op], now: datetime) -> ApplyReport:
        return apply_ops(self.db, list(ops), now)

    def pull(self, other: Device, now: datetime) -> ApplyReport:
        return self.receive(other.ops(), now)


def open_device(folder: Path, name: str, now: datetime) -> Device:
    db = Database.open(prepare_data_dir(folder / name), now)
    return Device(name, db, enable_sync(db, name, now))


def synced_rows(db: Database) -> dict[str, dict[str, dict[str, Any]]]:
    """Every synced table by gid: its synced columns, foreign keys as gids, JSON parsed."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with db.read() as session:
        conn = session.connection()
        for table in SYNCED_TABLES:
            have = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table.name})")}
            columns = [c for c in table.columns if c in have]
            key = table.key if not table.has_int_id else "id"
            rows = conn.exec_driver_sql(
                f"SELECT {key}, {', '.join(chr(34) + c + chr(34) for c in columns)} "
                f"FROM {table.name}"
            ).all()
            ids = dict(
                conn.exec_driver_sql(
                    "SELECT local_id, gid FROM sync_ids WHERE tbl = ? AND local_id IS NOT NULL",
                    (table.name,),
                ).all()
            )
            lead_gids = dict(
                conn.exec_driver_sql(
                    "SELECT local_id, gid FROM sync_ids WHERE tbl = 'lead' AND local_id IS NOT NULL"
                ).all()
            )
            by_gid: dict[str, dict[str, Any]] = {}
            for first, *values in rows:
                if table.only_keys and first not in table.only_keys:
                    continue  # this device's own setting (its sync folder…): never synced
                gid = ids[first] if table.has_int_id else first
                row = dict(zip(columns, values, strict=True))
                if "lead_id" in row:
                    row["lead_id"] = lead_gids[row["lead_id"]]
                for name in ("tags", "payload", "states", "triggers", "value"):
                    if isinstance(row.get(name), str) and name in table.columns:
                        row[name] = json.loads(row[name])
                by_gid[gid] = row
            out[table.name] = by_gid
    return out


def derived_rows(db: Database) -> dict[str, Any]:
    """What each device computes for itself: lead counters and next check, alerts' status."""
    with db.read() as session:
        conn = session.connection()
        leads = conn.exec_driver_sql(
            "SELECT m.gid, l.unanswered, l.last_outbound_at, l.last_inbound_at, l.next_check_at "
            "FROM lead AS l JOIN sync_ids AS m ON m.tbl = 'lead' AND m.local_id = l.id"
        ).all()
        alerts = conn.exec_driver_sql(
            "SELECT m.gid, a.status FROM alert AS a "
            "JOIN sync_ids AS m ON m.tbl = 'alert' AND m.local_id = a.id"
        ).all()
    return {"lead": sorted(map(tuple, leads)), "alert": sorted(map(tuple, alerts))}
