"""Folding a device's own old operations into a snapshot: the rows as they stand, with clocks.

A snapshot has the shape the sync contract gives every snapshot:
    {"rows": {tbl: {gid: {column: value}}},
     "clock": {tbl: {gid: {column: hlc}}},     # the HLC of the last write of each field
     "deleted": {tbl: {gid: hlc}}}             # the HLC of each row's last delete
so a device that starts from it merges field by field exactly as if it had received every
folded operation. A deleted row keeps its values (a change made after the delete on a device
that had not heard of it brings it back with them): it is live where a field's stamp is
later than its delete's. One device's HLCs only grow, so a later operation of the same device always
supersedes an earlier one on the fields it writes; nothing about other devices is decided here.
A field the snapshot holds a value for but no clock (an update whose row came with the full
row of a record another device created) merges as older than any clock.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

Snapshot = dict[str, Any]


def empty_snapshot() -> Snapshot:
    return {"rows": {}, "clock": {}, "deleted": {}}


def fold_ops(base: Snapshot | None, ops: Iterable[dict[str, Any]]) -> Snapshot:
    """`base` (left untouched) with `ops`, one device's operations in seq order, folded in."""
    folded = copy.deepcopy(base) if base else empty_snapshot()
    rows: dict[str, dict[str, dict[str, Any]]] = folded.setdefault("rows", {})
    clocks: dict[str, dict[str, dict[str, str]]] = folded.setdefault("clock", {})
    deleted: dict[str, dict[str, str]] = folded.setdefault("deleted", {})
    for op in ops:
        tbl, gid, hlc, kind = op["tbl"], op["gid"], op["hlc"], op["kind"]
        table_rows = rows.setdefault(tbl, {})
        table_clock = clocks.setdefault(tbl, {})
        row = op.get("row") or {}
        if kind == "delete":
            gone = deleted.setdefault(tbl, {})
            gone[gid] = max(hlc, gone.get(gid, ""))
            if gid not in table_rows and row:
                table_rows[gid] = dict(row)  # what stands for it, with no stamp
            continue
        stored = table_rows.setdefault(gid, {})
        field_clock = table_clock.setdefault(gid, {})
        written = list(row) if kind == "insert" else list(op.get("changed") or [])
        for column, value in row.items():
            if column in written or column not in stored:
                stored[column] = value
        for column in written:
            field_clock[column] = hlc
    return folded
