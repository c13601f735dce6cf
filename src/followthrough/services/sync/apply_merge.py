"""The sync applier's merge of one operation (rules: domain/syncmerge.py).

A row of a table with ids (lead, event, alert, template, meeting, match_skip) is, on every
device, what the operations received say of it, whatever their order:
- each field holds the value written last (`sync_clock` keeps each field's stamp);
- the row is live when a field was written after its last delete (the pseudo-field
  "~deleted"), and for what hangs off a lead, while that lead is live too;
- a row that is not live keeps its last values in `sync_parked`, so that a change stamped
  after the delete (made where the delete was not known yet) brings it back whole — and a
  lead brought back brings back what hung off it.
Rows keyed by text (the synced settings, the mail watch's seen messages) keep the simpler
rules of `KeyedMerger`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from followthrough.domain.syncmerge import (
    DELETED_FIELD,
    LEAD_COLUMN,
    STATE_FIELD,
    OverruledMove,
    RowVerdict,
    delete_verdict,
    is_live,
    overruled_move,
    revived_clocks,
    row_verdict,
    touched_lead,
    winning_fields,
)
from followthrough.services.sync.apply_rows import LIVE_ALERT, Op, SyncRows
from followthrough.store.sync_schema import BY_NAME, SyncedTable
from followthrough.store.utc import utc_from_stored


class Merger:
    """Merges one operation at a time; see the module's docstring."""

    def __init__(self, rows: SyncRows, device: str) -> None:
        self.rows = rows
        self.device = device
        self.touched: dict[str, None] = {}
        self.overruled: list[tuple[str, OverruledMove]] = []

    def apply(self, op: Op) -> None:
        """Merge one operation. Nothing waits: a change to a row whose lead has not arrived
        is kept aside until it does."""
        lead = touched_lead(op.table.name, op.gid, op.row)
        if op.table.has_int_id:
            self._merge_row(op)
        else:
            KeyedMerger(self.rows).apply(op)
        if lead is not None:
            self.touched[lead] = None

    def live_touched_leads(self) -> list[int]:
        ids = (self.rows.lead_id(gid) for gid in self.touched)
        return list(dict.fromkeys(i for i in ids if i is not None))

    # --- one row ------------------------------------------------------------------------

    def _merge_row(self, op: Op) -> None:
        table, rows = op.table, self.rows
        present = rows.columns(table)
        incoming = {c: v for c, v in (op.row or {}).items() if c in present}
        local_id = rows.local_row(table, op.gid)
        clocks = rows.clocks(table, op.gid)
        # The values of a row that is not live here; a live row's stay where they are.
        values = None if local_id is not None else rows.parked(table, op.gid)
        stamps: dict[str, str] = {}
        won: list[str] = []
        if op.kind == "delete":
            if op.hlc > clocks.get(DELETED_FIELD, ""):
                stamps[DELETED_FIELD] = op.hlc
        else:
            fields = list(incoming) if op.kind == "insert" or op.changed is None else op.changed
            won = winning_fields(op.hlc, [f for f in fields if f in incoming], clocks)
            stamps.update(dict.fromkeys(won, op.hlc))
        if local_id is None and incoming:
            # What arrives of a row not seen yet stands for it until its own insert comes
            # (from another device's batch, or a snapshot): that insert then overwrites it.
            values = {**incoming, **(values or {})}
            values.update({f: incoming[f] for f in won})
        if table.name == "lead" and STATE_FIELD in won and local_id is not None:
            self._note_overruled_move(op, local_id, incoming, clocks)
        rows.stamp(table, op.gid, stamps)
        clocks.update(stamps)
        lead_gid = self._lead_of(table, op.gid, local_id, values, incoming)
        live = is_live(clocks) and (lead_gid is None or rows.lead_id(lead_gid) is not None)
        if local_id is not None and live:
            changes = {f: self._local(f, incoming[f]) for f in won}
            if table.name == "alert" and changes.get("status") in LIVE_ALERT:
                changes = self._live_again(op.gid, local_id, changes)
            rows.update(table, op.gid, local_id, changes)
        elif local_id is not None:
            self._take_away(table, op.gid, local_id, lead_gid, stamps.get(DELETED_FIELD))
        elif live and values is not None:
            self._bring_back(table, op.gid, values)
        else:
            if values is not None:
                rows.park(table, op.gid, lead_gid, values)
            rows.unmap(table, op.gid, stamps.get(DELETED_FIELD))

    def _lead_of(
        self,
        table: SyncedTable,
        gid: str,
        local_id: int | None,
        values: Mapping[str, Any] | None,
        incoming: Mapping[str, Any],
    ) -> str | None:
        """The gid of the lead a row hangs off (None for a lead or a template)."""
        if LEAD_COLUMN not in table.parents:
            return None
        for source in (incoming, values or {}):
            if isinstance(source.get(LEAD_COLUMN), str):
                return str(source[LEAD_COLUMN])
        if local_id is not None:
            current = self.rows.current(table, gid, local_id, (LEAD_COLUMN,))
            found = self.rows.gid_of_lead(current.get(LEAD_COLUMN))
            if found is not None:
                return found
        return touched_lead(table.name, gid, None)

    def _local(self, field: str, value: Any) -> Any:
        if field == LEAD_COLUMN and isinstance(value, str):
            return self.rows.lead_id(value)
        return value

    def _take_away(
        self, table: SyncedTable, gid: str, local_id: int, lead_gid: str | None, stamp: str | None
    ) -> None:
        """A live row that is live no more: its values kept aside, then deleted. A lead's
        children are kept aside first (SQLite's cascade then removes them)."""
        rows = self.rows
        if table.name == "lead":
            for child, child_gid, child_id in rows.live_children(local_id):
                self._keep_aside(child, child_gid, child_id, gid)
                rows.unmap(child, child_gid, None)
        self._keep_aside(table, gid, local_id, lead_gid)
        rows.delete(table, gid, local_id)
        rows.unmap(table, gid, stamp)

    def _keep_aside(self, table: SyncedTable, gid: str, local_id: int, lead: str | None) -> None:
        values = self.rows.current(table, gid, local_id, self.rows.columns(table))
        if lead is not None and LEAD_COLUMN in values:
            values[LEAD_COLUMN] = lead
        self.rows.park(table, gid, lead, values)

    def _bring_back(self, table: SyncedTable, gid: str, values: dict[str, Any]) -> None:
        """Insert a row that is live now (new here, or back), and for a lead, whatever hung
        off it and is live again with it."""
        rows = self.rows
        row = {c: self._local(c, v) for c, v in values.items() if c in rows.columns(table)}
        if table.name == "lead":
            row.setdefault("updated_at", row.get("created_at"))
        if table.name == "alert":
            self._one_live_alert(gid, row)
        local_id = rows.insert(table, row)
        rows.map_row(table, gid, local_id)
        rows.unpark(table, gid)
        if table.name != "lead":
            return
        for child, child_gid, child_values in rows.parked_children(gid):
            if is_live(rows.clocks(child, child_gid)):
                self._bring_back(child, child_gid, child_values)

    def _live_again(self, gid: str, local_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """An alert of this lead made live by a change: still one live per rule."""
        keys = ("lead_id", "rule", "raised_at", "status", "resolved_at", "snoozed_until")
        merged = {**self.rows.current(BY_NAME["alert"], gid, local_id, keys), **changes}
        self._one_live_alert(gid, merged, but=local_id)
        return {k: merged[k] for k in (*changes, "status", "resolved_at", "snoozed_until")}

    def _one_live_alert(self, gid: str, values: dict[str, Any], but: int | None = None) -> None:
        """Two devices that saw different histories may raise the same rule for a lead in
        different episodes: one stays live everywhere, the later episode (the larger gid,
        whatever arrives first); the other is kept as dismissed, when the live one was raised.
        Derived here, like a re-plan, so every device decides it alike."""
        if values.get("status") not in LIVE_ALERT:
            return
        live = self.rows.live_alert(values[LEAD_COLUMN], values["rule"], but)
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
        self, op: Op, local_id: int, incoming: Mapping[str, Any], clocks: Mapping[str, str]
    ) -> None:
        mine = self.rows.current(op.table, op.gid, local_id, ("state", "state_since"))
        if not mine:
            return
        since = _stored_time(mine["state_since"])
        move = overruled_move(
            op.hlc, incoming.get(STATE_FIELD), mine["state"], clocks.get(STATE_FIELD), since,
            self.device,
        )  # fmt: skip
        if move is not None:
            self.overruled.append((op.gid, move))


class KeyedMerger:
    """Rows named by a text key (setting, mail_seen): field by field, a delete wins over
    what was written before it, a change after it brings the row back with that change."""

    def __init__(self, rows: SyncRows) -> None:
        self.rows = rows

    def apply(self, op: Op) -> None:
        if op.kind == "delete":
            self._delete(op)
        else:
            self._upsert(op)

    def _upsert(self, op: Op) -> None:
        assert op.row is not None
        table, rows = op.table, self.rows
        values = {c: v for c, v in op.row.items() if c in rows.columns(table)}
        known, _, tombstone = rows.mapping(table, op.gid)
        verdict = row_verdict(op.hlc, tombstone if known else None)
        if verdict is RowVerdict.DROP:
            return
        if not known or verdict is RowVerdict.REVIVE:
            rows.insert(table, values)
            rows.map_row(table, op.gid, None)
            changed = None if op.kind == "insert" else op.changed
            if tombstone is None:
                rows.stamp(table, op.gid, dict.fromkeys(values, op.hlc))
            else:
                rows.stamp(table, op.gid, revived_clocks(op.hlc, changed, values, tombstone))
            return
        clocks = rows.clocks(table, op.gid)
        fields = op.changed if op.kind == "update" and op.changed is not None else list(values)
        won = winning_fields(op.hlc, [f for f in fields if f in values], clocks)
        if won:
            rows.update(table, op.gid, None, {f: values[f] for f in won})
            rows.stamp(table, op.gid, dict.fromkeys(won, op.hlc))

    def _delete(self, op: Op) -> None:
        table, rows = op.table, self.rows
        known, _, tombstone = rows.mapping(table, op.gid)
        if known and tombstone is None:
            verdict = delete_verdict(op.hlc, rows.clocks(table, op.gid))
            if not verdict.delete:
                # Changed after the delete, where it was not known: it stays, as of the
                # delete for what was written before it (as where it came back).
                rows.stamp(table, op.gid, dict.fromkeys(verdict.lifted, op.hlc))
                return
            rows.delete(table, op.gid, None)
        rows.tombstone(table, op.gid, op.hlc)


def _stored_time(value: Any) -> datetime:
    moment = utc_from_stored(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment
