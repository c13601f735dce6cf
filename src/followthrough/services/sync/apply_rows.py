"""The sync applier's merge of one operation, and the reads and writes it makes.

`Merger` asks domain/syncmerge.py and writes; `SyncRows` holds every statement. Values go
back exactly as another device's trigger read them (store/sync_schema.py: times as stored
text, JSON columns as their text, booleans as 0/1), through plain statements, so a row
applied here is byte for byte the row written there.
"""

from __future__ import annotations

# Table and column names in the statements come from store/sync_schema.py's declarations
# (an op's columns are filtered through them), never from an op's text: values are bound.
# ruff: noqa: S608
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from followthrough.domain.syncmerge import (
    LEAD_COLUMN,
    STATE_FIELD,
    OverruledMove,
    RowVerdict,
    child_survives,
    delete_verdict,
    overruled_move,
    revived_clocks,
    row_verdict,
    touched_lead,
    winning_fields,
)
from followthrough.store.db import driver_of
from followthrough.store.sync_schema import BY_NAME, SyncedTable
from followthrough.store.utc import utc_from_stored

# A pseudo-field in sync_clock: the stamp of the delete a live row came back from (or was
# kept through), so that what was written before that delete keeps losing once it is back.
DELETED_FIELD = "~deleted"
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

    def lead_known(self, gid: str) -> bool:
        return bool(self._all("SELECT 1 FROM sync_ids WHERE tbl = 'lead' AND gid = ?", (gid,)))

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

    def lead_deleted_at(self, gid: str) -> str | None:
        """The stamp of the last delete a lead went through (it may be back since)."""
        rows = self._all(
            "SELECT deleted FROM sync_ids WHERE tbl = 'lead' AND gid = ? "
            "UNION ALL SELECT hlc FROM sync_clock WHERE tbl = 'lead' AND gid = ? AND field = ?",
            (gid, gid, DELETED_FIELD),
        )
        stamps = [r[0] for r in rows if r[0] is not None]
        return max(stamps) if stamps else None

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

    def live_alert(self, lead_id: int, rule: str) -> tuple[int, str, str] | None:
        rows = self._all(
            "SELECT a.id, m.gid, a.raised_at FROM alert AS a "
            "JOIN sync_ids AS m ON m.tbl = 'alert' AND m.local_id = a.id "
            "WHERE a.lead_id = ? AND a.rule = ? AND a.status IN ('open', 'snoozed')",
            (lead_id, rule),
        )
        return (int(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None

    # --- a lead's dependants ------------------------------------------------------------

    def forget_children(self, lead_id: int, stamp: str, born_before: str | None = None) -> None:
        """Tombstone (and with `born_before`, delete) the rows hanging off a lead.

        Deleting the lead cascades in SQLite, under the applier's flag, so no trigger keeps
        the children's ids: their gids become tombstones here. A lead kept through a delete
        loses only the children written before the delete (`born_before`).
        """
        for name in ("event", "alert", "meeting", "match_skip"):
            table = BY_NAME[name]
            rows = self._all(
                f"SELECT c.id, m.gid, k.hlc FROM {_q(name)} AS c "
                "JOIN sync_ids AS m ON m.tbl = ? AND m.local_id = c.id "
                "LEFT JOIN sync_clock AS k ON k.tbl = ? AND k.gid = m.gid AND k.field = 'lead_id' "
                "WHERE c.lead_id = ?",
                (name, name, lead_id),
            )
            for local_id, gid, born in rows:
                if born_before is not None and born is not None and born > born_before:
                    continue
                self.tombstone(table, gid, stamp)
                if born_before is not None:
                    self.delete(table, gid, local_id)


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


class Merger:
    """Merges one operation at a time by the rules of domain/syncmerge.py."""

    def __init__(self, rows: SyncRows, device: str) -> None:
        self.rows = rows
        self.device = device
        self.touched: dict[str, None] = {}
        self.overruled: list[tuple[str, OverruledMove]] = []

    def apply(self, op: Op) -> bool:
        """Merge one operation; False when it must wait for its lead."""
        lead = touched_lead(op.table.name, op.gid, op.row)
        if op.kind == "delete":
            self._delete(op)
        elif not self._upsert(op):
            return False
        if lead is not None:
            self.touched[lead] = None
        return True

    def _upsert(self, op: Op) -> bool:
        assert op.row is not None
        table, rows = op.table, self.rows
        values = {c: v for c, v in op.row.items() if c in table.columns}
        lead_gid = values.get(LEAD_COLUMN) if LEAD_COLUMN in table.parents else None
        if isinstance(lead_gid, str):
            if not rows.lead_known(lead_gid):
                return False  # its lead is on its way from another device
            lead_id = rows.lead_id(lead_gid)
            deleted = rows.lead_deleted_at(lead_gid)
            if lead_id is None or not child_survives(op.hlc, deleted):
                # The lead is gone (or was deleted after this was written): it goes with it.
                rows.tombstone(table, op.gid, deleted or op.hlc)
                return True
            values[LEAD_COLUMN] = lead_id
        known, local_id, tombstone = rows.mapping(table, op.gid)
        verdict = row_verdict(op.hlc, tombstone if known else None)
        if verdict is RowVerdict.DROP:
            return True
        if not known or verdict is RowVerdict.REVIVE:
            self._insert(op, values, tombstone if verdict is RowVerdict.REVIVE else None)
            return True
        clocks = rows.clocks(table, op.gid)
        fields = op.changed if op.kind == "update" and op.changed is not None else list(values)
        won = winning_fields(op.hlc, [f for f in fields if f in values], clocks)
        if not won:
            return True
        if table.name == "lead" and STATE_FIELD in won:
            self._note_overruled_move(op, local_id, values, clocks)
        rows.update(table, op.gid, local_id, {f: values[f] for f in won})
        rows.stamp(table, op.gid, dict.fromkeys(won, op.hlc))
        return True

    def _insert(self, op: Op, values: dict[str, Any], tombstone: str | None) -> None:
        table, rows = op.table, self.rows
        if table.name == "lead":
            values.setdefault("updated_at", values.get("created_at"))
        if table.name == "alert":
            self._one_live_alert(op.gid, values)
        local_id = rows.insert(table, values)
        rows.map_row(table, op.gid, local_id)
        fields = [f for f in values if f != LEAD_COLUMN] + (
            [LEAD_COLUMN] if LEAD_COLUMN in values else []
        )
        synced = [f for f in fields if f in table.columns]
        if tombstone is None:
            rows.stamp(table, op.gid, dict.fromkeys(synced, op.hlc))
            return
        changed = None if op.kind == "insert" else op.changed
        stamps = revived_clocks(op.hlc, changed, synced, tombstone)
        stamps[DELETED_FIELD] = tombstone
        rows.stamp(table, op.gid, stamps)

    def _one_live_alert(self, gid: str, values: dict[str, Any]) -> None:
        """Two devices that saw different histories may raise the same rule for a lead in
        different episodes: one stays live everywhere, the later episode (the larger gid,
        whatever arrives first); the other is kept as dismissed, when the live one was raised.
        Derived here, like a re-plan, so every device decides it alike."""
        if values.get("status") not in LIVE_ALERT:
            return
        live = self.rows.live_alert(values[LEAD_COLUMN], values["rule"])
        if live is None:
            return
        other_id, other_gid, other_raised = live
        if other_gid > gid:
            values.update(status="dismissed", resolved_at=other_raised, snoozed_until=None)
        else:
            self.rows.update(
                BY_NAME["alert"], other_gid, other_id,
                {"status": "dismissed", "resolved_at": values["raised_at"],
                 "snoozed_until": None},
            )  # fmt: skip

    def _note_overruled_move(
        self, op: Op, local_id: int | None, values: Mapping[str, Any], clocks: Mapping[str, str]
    ) -> None:
        mine = self.rows.current(op.table, op.gid, local_id, ("state", "state_since"))
        if not mine:
            return
        since = _stored_time(mine["state_since"])
        move = overruled_move(
            op.hlc, values.get(STATE_FIELD), mine["state"], clocks.get(STATE_FIELD), since,
            self.device,
        )  # fmt: skip
        if move is not None:
            self.overruled.append((op.gid, move))

    def _delete(self, op: Op) -> None:
        table, rows = op.table, self.rows
        known, local_id, tombstone = rows.mapping(table, op.gid)
        alive = known and tombstone is None and (local_id is not None or not table.has_int_id)
        if not alive:
            rows.tombstone(table, op.gid, op.hlc)  # a later insert stamped before it drops
            return
        verdict = delete_verdict(op.hlc, rows.clocks(table, op.gid))
        if verdict.delete:
            if table.name == "lead" and local_id is not None:
                rows.forget_children(local_id, op.hlc)
            rows.delete(table, op.gid, local_id)
            rows.tombstone(table, op.gid, op.hlc)
            return
        # Changed after the delete on a device that had not seen it: it stays, as of the
        # delete for everything written before it.
        stamps = dict.fromkeys(verdict.lifted, op.hlc)
        stamps[DELETED_FIELD] = max(op.hlc, rows.clocks(table, op.gid).get(DELETED_FIELD, ""))
        rows.stamp(table, op.gid, stamps)
        if table.name == "lead" and local_id is not None:
            rows.forget_children(local_id, op.hlc, born_before=op.hlc)

    def live_touched_leads(self) -> list[int]:
        ids = (self.rows.lead_id(gid) for gid in self.touched)
        return list(dict.fromkeys(i for i in ids if i is not None))


def _stored_time(value: Any) -> datetime:
    moment = utc_from_stored(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment
