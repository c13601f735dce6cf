"""The log of a database that went back in time (a backup restored), carried over to the
new device id it goes on as (record.fork_device).

The changes made since it went back are the new id's first, numbered from 1. The rows they
added were named under the old id by the number of the change that added them: names the
old id had already given other rows, in changes the other devices hold. They take the names
the new id would have given them, everywhere a row's name is kept, and so does what hangs
off a renamed lead; their stamps name the new id.
"""

# Statements are built from the names of the sync tables and columns, never from data.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from followthrough.domain.hlc import format_hlc, parse_hlc
from followthrough.store.sync_schema import BY_NAME, SYNCED_TABLES

Names = dict[str, dict[str, str]]  # table -> a row's name (gid) as made -> as renamed


def carry_ops(conn: Connection, old: str, new: str, shared: int) -> int:
    """Keep the changes after `shared` as the new id's, numbered from 1; drop the rest."""
    carried = conn.exec_driver_sql(
        "SELECT seq, hlc, tbl, gid, kind, row, changed FROM sync_op WHERE seq > ? ORDER BY seq",
        (shared,),
    ).all()
    names = _new_names(conn, carried, old, new, shared)
    conn.exec_driver_sql("DELETE FROM sync_op")
    if not carried:
        return 0
    _rename(conn, names)
    _restamp(conn, old, new, str(carried[0][1]))
    conn.exec_driver_sql(
        "INSERT INTO sync_op (seq, hlc, tbl, gid, kind, row, changed) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (seq - shared, format_hlc(parse_hlc(hlc).clock, new), tbl,
             _renamed_gid(tbl, gid, names), kind, _renamed_row(tbl, row, names), changed)
            for seq, hlc, tbl, gid, kind, row, changed in carried
        ],
    )  # fmt: skip
    return len(carried)


def _new_names(conn: Connection, carried: Sequence[Any], old: str, new: str, shared: int) -> Names:
    """The rows added since `shared` under the old id, and the name the new id gives each:
    its id and the number of the change that added it (store/sync_schema.new_gid_sql)."""
    own = [t.name for t in SYNCED_TABLES if t.gid == "own"]
    marks = ", ".join("?" for _ in own)
    # A name known before (a row brought back under its old name) is not the new id's.
    seen = {
        (str(tbl), str(gid))
        for tbl, gid in conn.exec_driver_sql(
            f"SELECT DISTINCT tbl, gid FROM sync_op WHERE seq <= ? AND tbl IN ({marks})",
            (shared, *own),
        )
    }
    names: Names = {}
    for seq, _, tbl, gid, kind, *_ in carried:
        if tbl in own and kind == "insert" and gid.startswith(old) and (tbl, gid) not in seen:
            names.setdefault(tbl, {})[gid] = f"{new}.{seq - shared}"
        seen.add((tbl, gid))
    return names


def _rename(conn: Connection, names: Names) -> None:
    """Rename the rows added since, wherever a row's name is kept; what hangs off a renamed
    lead (an alert, a meeting) is named after it, "<lead's gid>|...", and follows."""
    exact = [(to, tbl, gid) for tbl, renamed in names.items() for gid, to in renamed.items()]
    if not exact:
        return
    leads = names.get("lead", {})
    children = [t.name for t in SYNCED_TABLES if t.gid == "composite"]
    # "}" follows "|": the range holds exactly the names that start with the lead's and "|".
    under = [
        (to, len(gid) + 1, child, gid + "|", gid + "}")
        for gid, to in leads.items()
        for child in children
    ]
    parked = _has_table(conn, "sync_parked")  # deleted rows' last values (schema 0012 on)
    for holder in ("sync_ids", "sync_clock") + (("sync_parked",) if parked else ()):
        conn.exec_driver_sql(f"UPDATE {holder} SET gid = ? WHERE tbl = ? AND gid = ?", exact)
        if under:
            conn.exec_driver_sql(
                f"UPDATE {holder} SET gid = ? || substr(gid, ?) "
                "WHERE tbl = ? AND gid >= ? AND gid < ?",
                under,
            )
    if parked and leads:
        marks = ", ".join("?" for _ in leads)
        rows = conn.exec_driver_sql(
            f"SELECT tbl, gid, lead, row FROM sync_parked WHERE lead IN ({marks})",
            tuple(leads),
        ).all()
        if rows:
            conn.exec_driver_sql(
                "UPDATE sync_parked SET lead = ?, row = ? WHERE tbl = ? AND gid = ?",
                [
                    (leads[lead], _renamed_row(tbl, row, names), tbl, gid)
                    for tbl, gid, lead, row in rows
                ],
            )


def _restamp(conn: Connection, old: str, new: str, first: str) -> None:
    """The stamps of the changes made since (`first` on) name the new id: the device whose
    move a stamp marks is the one that notes it overruled (domain/syncmerge.py)."""
    for holder, column in (("sync_clock", "hlc"), ("sync_ids", "deleted")):
        conn.exec_driver_sql(
            f"UPDATE {holder} SET {column} = substr({column}, 1, length({column}) - ?) || ? "
            f"WHERE {column} >= ? AND substr({column}, -?) = ?",
            (len(old), new, first, len(old) + 1, f"-{old}"),
        )


def _renamed_gid(tbl: str, gid: str, names: Names) -> str:
    renamed = names.get(tbl, {}).get(gid)
    if renamed is not None:
        return renamed
    lead, bar, rest = gid.partition("|")
    table = BY_NAME.get(tbl)
    leads = names.get("lead", {})
    if bar and table is not None and table.gid == "composite" and lead in leads:
        return leads[lead] + bar + rest
    return gid


def _renamed_row(tbl: str, row: str, names: Names) -> str:
    """A row as exchanged (JSON), its links to renamed rows renamed."""
    table = BY_NAME.get(tbl)
    parents = table.parents if table is not None else {}
    if not any(parent in names for parent in parents.values()):
        return row
    values = json.loads(row)
    for column, parent in parents.items():
        value = values.get(column)
        if isinstance(value, str) and value in names.get(parent, {}):
            values[column] = names[parent][value]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _has_table(conn: Connection, name: str) -> bool:
    found = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).first()
    return found is not None
