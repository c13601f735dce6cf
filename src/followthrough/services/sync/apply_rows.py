"""The statements the sync applier (apply_merge.Merger) reads and writes with.

Values go back exactly as another device's trigger read them (store/sync_schema.py: times
as stored text, JSON columns as their text, booleans as 0/1), through plain statements, so
a row applied here is byte for byte the row written there.
"""

from __future__ import annotations

# Table and column names in the statements come from store/sync_schema.py's declarations
# (an op's columns are filtered through them), never from an op's text: values are bound.
# ruff: noqa: S608
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from followthrough.domain.syncmerge import LEAD_CHILDREN
from followthrough.store.db import driver_of
from followthrough.store.sync_schema import BY_NAME, SyncedTable, synced_columns

LIVE_ALERT = ("open", "snoozed")  # at most one per (lead, rule): store/models.py


def _q(name: str) -> str:
    return '"' + name + '"'


class SyncRows:
    """The applier's view of one transaction's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # SQLite's own connection, in the same transaction: a merge runs several small
        # statements per operation, and SQLAlchemy's plumbing per statement cost more than
        # SQLite's work (10k operations: 2.0 s through it, 1.1 s straight).
        self._driver = driver_of(conn)
        self._lead_ids: dict[str, int | None] = {}
        self._columns: dict[str, tuple[str, ...]] = {}

    def _all(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        return self._driver.execute(sql, tuple(params)).fetchall()

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._driver.execute(sql, tuple(params))

    # --- identities ---------------------------------------------------------------------

    def mapping(self, table: SyncedTable, gid: str) -> tuple[bool, int | None, str | None]:
        """(known, local id, tombstone) of a gid. Key tables: the local id is unused."""
        rows = self._all(
            "SELECT local_id, deleted FROM sync_ids WHERE tbl = ? AND gid = ?", (table.name, gid)
        )
        if table.has_int_id:
            if not rows:
                return False, None, None
            return True, rows[0][0], rows[0][1]
        assert table.key is not None
        live = self._all(f"SELECT 1 FROM {_q(table.name)} WHERE {_q(table.key)} = ?", (gid,))
        if live:
            return True, None, None
        return bool(rows), None, rows[0][1] if rows else None

    def lead_id(self, gid: str) -> int | None:
        """The local id of a live lead (None: unknown or deleted); cached per transaction."""
        if gid not in self._lead_ids:
            rows = self._all("SELECT local_id FROM sync_ids WHERE tbl = 'lead' AND gid = ?", (gid,))
            self._lead_ids[gid] = rows[0][0] if rows else None
        return self._lead_ids[gid]

    def gid_of_lead(self, local: object) -> str | None:
        if local is None:
            return None
        rows = self._all("SELECT gid FROM sync_ids WHERE tbl = 'lead' AND local_id = ?", (local,))
        return str(rows[0][0]) if rows else None

    def map_row(self, table: SyncedTable, gid: str, local_id: int | None) -> None:
        """A live row's mapping: the gid now names `local_id`, no longer a tombstone."""
        if table.has_int_id:
            self._run("DELETE FROM sync_ids WHERE tbl = ? AND local_id = ?", (table.name, local_id))
            self._run(
                "INSERT INTO sync_ids (tbl, gid, local_id, deleted) VALUES (?, ?, ?, NULL) "
                "ON CONFLICT (tbl, gid) DO UPDATE SET local_id = excluded.local_id, "
                "deleted = NULL",
                (table.name, gid, local_id),
            )
        else:
            self._run("DELETE FROM sync_ids WHERE tbl = ? AND gid = ?", (table.name, gid))
        if table.name == "lead":
            self._lead_ids[gid] = local_id

    def tombstone(self, table: SyncedTable, gid: str, stamp: str) -> None:
        self._run(
            "INSERT INTO sync_ids (tbl, gid, local_id, deleted) VALUES (?, ?, NULL, ?) "
            "ON CONFLICT (tbl, gid) DO UPDATE SET local_id = NULL, "
            "deleted = max(coalesce(deleted, ''), excluded.deleted)",
            (table.name, gid, stamp),
        )
        if table.name == "lead":
            self._lead_ids[gid] = None

    # --- clocks -------------------------------------------------------------------------

    def clocks(self, table: SyncedTable, gid: str) -> dict[str, str]:
        rows = self._all(
            "SELECT field, hlc FROM sync_clock WHERE tbl = ? AND gid = ?", (table.name, gid)
        )
        return {str(field): str(stamp) for field, stamp in rows}

    def stamp(self, table: SyncedTable, gid: str, stamps: Mapping[str, str]) -> None:
        if not stamps:
            return
        self._driver.executemany(
            "INSERT INTO sync_clock (tbl, gid, field, hlc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (tbl, gid, field) DO UPDATE SET hlc = excluded.hlc",
            [(table.name, gid, field, value) for field, value in stamps.items()],
        )

    # --- rows ---------------------------------------------------------------------------

    def insert(self, table: SyncedTable, values: Mapping[str, Any]) -> int | None:
        columns = list(values)
        sql = (
            f"INSERT INTO {_q(table.name)} ({', '.join(_q(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        cursor = self._driver.execute(sql, tuple(values[c] for c in columns))
        return cursor.lastrowid if table.has_int_id else None

    def update(
        self, table: SyncedTable, gid: str, local_id: int | None, values: Mapping[str, Any]
    ) -> None:
        if not values:
            return
        sets = ", ".join(f"{_q(c)} = ?" for c in values)
        where, key = self._where(table, gid, local_id)
        self._run(f"UPDATE {_q(table.name)} SET {sets} WHERE {where}", (*values.values(), key))

    def delete(self, table: SyncedTable, gid: str, local_id: int | None) -> None:
        where, key = self._where(table, gid, local_id)
        self._run(f"DELETE FROM {_q(table.name)} WHERE {where}", (key,))

    def current(
        self, table: SyncedTable, gid: str, local_id: int | None, columns: Iterable[str]
    ) -> dict[str, Any]:
        names = list(columns)
        where, key = self._where(table, gid, local_id)
        rows = self._all(
            f"SELECT {', '.join(_q(c) for c in names)} FROM {_q(table.name)} WHERE {where}", (key,)
        )
        return dict(zip(names, rows[0], strict=True)) if rows else {}

    @staticmethod
    def _where(table: SyncedTable, gid: str, local_id: int | None) -> tuple[str, Any]:
        if table.has_int_id:
            return "id = ?", local_id
        assert table.key is not None
        return f"{_q(table.key)} = ?", gid

    def live_alert(
        self, lead_id: int, rule: str, but: int | None = None
    ) -> tuple[int, str, str] | None:
        rows = self._all(
            "SELECT a.id, m.gid, a.raised_at FROM alert AS a "
            "JOIN sync_ids AS m ON m.tbl = 'alert' AND m.local_id = a.id "
            "WHERE a.lead_id = ? AND a.rule = ? AND a.status IN ('open', 'snoozed') "
            "AND a.id IS NOT ?",
            (lead_id, rule, but),
        )
        return (int(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None

    # --- rows that are not live: deleted, or hanging off a lead that is --------------------

    def local_row(self, table: SyncedTable, gid: str) -> int | None:
        """The local id of the live row `gid` of a table with ids (None: not live here)."""
        rows = self._all(
            "SELECT local_id FROM sync_ids WHERE tbl = ? AND gid = ?", (table.name, gid)
        )
        return rows[0][0] if rows else None

    def unmap(self, table: SyncedTable, gid: str, stamp: str | None) -> None:
        """Known here, with no live row (deleted at `stamp`, or waiting for its lead)."""
        self._run(
            "INSERT INTO sync_ids (tbl, gid, local_id, deleted) VALUES (?, ?, NULL, ?) "
            "ON CONFLICT (tbl, gid) DO UPDATE SET local_id = NULL, "
            "deleted = coalesce(excluded.deleted, deleted)",
            (table.name, gid, stamp),
        )
        if table.name == "lead":
            self._lead_ids[gid] = None

    def parked(self, table: SyncedTable, gid: str) -> dict[str, Any] | None:
        rows = self._all("SELECT row FROM sync_parked WHERE tbl = ? AND gid = ?", (table.name, gid))
        return dict(json.loads(rows[0][0])) if rows else None

    def park(
        self, table: SyncedTable, gid: str, lead: str | None, values: Mapping[str, Any]
    ) -> None:
        self._run(
            "INSERT INTO sync_parked (tbl, gid, lead, row) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (tbl, gid) DO UPDATE SET lead = excluded.lead, row = excluded.row",
            (table.name, gid, lead, json.dumps(dict(values))),
        )

    def unpark(self, table: SyncedTable, gid: str) -> None:
        self._run("DELETE FROM sync_parked WHERE tbl = ? AND gid = ?", (table.name, gid))

    def parked_children(self, lead_gid: str) -> list[tuple[SyncedTable, str, dict[str, Any]]]:
        rows = self._all("SELECT tbl, gid, row FROM sync_parked WHERE lead = ?", (lead_gid,))
        return [(BY_NAME[t], str(g), dict(json.loads(r))) for t, g, r in rows if t in BY_NAME]

    def live_children(self, lead_id: int) -> list[tuple[SyncedTable, str, int]]:
        found = []
        for name in LEAD_CHILDREN:
            rows = self._all(
                f"SELECT m.gid, c.id FROM {_q(name)} AS c "
                "JOIN sync_ids AS m ON m.tbl = ? AND m.local_id = c.id WHERE c.lead_id = ?",
                (name, lead_id),
            )
            found += [(BY_NAME[name], str(gid), int(local)) for gid, local in rows]
        return found

    def columns(self, table: SyncedTable) -> tuple[str, ...]:
        """The synced columns this database has (an older or newer version's op may carry
        others: they are left out)."""
        if table.name not in self._columns:
            self._columns[table.name] = synced_columns(self._driver, table)
        return self._columns[table.name]


@dataclass(frozen=True)
class Op:
    hlc: str
    device: str
    seq: int
    table: SyncedTable
    gid: str
    kind: str
    row: dict[str, Any] | None
    changed: list[str] | None
