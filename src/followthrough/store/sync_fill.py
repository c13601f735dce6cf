"""Enabling sync on a database that already has rows, and a snapshot of them
(services/sync/record.py, snapshot.py): the same gids and row shapes the triggers of
store/sync_schema.py give rows as they are written."""

# Built from the names in SYNCED_TABLES and constants, never from data.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from followthrough.store.sync_schema import (
    SYNCED_TABLES,
    SyncedTable,
    gid_of_row_sql,
    new_gid_sql,
    row_json_sql,
    synced_columns,
)
from followthrough.store.sync_schema import (
    quote_text as _q,
)
from followthrough.store.sync_schema import (
    quoted_name as _ident,
)


def fill_ids_sql(table: SyncedTable) -> str | None:
    """Give every row of `table` without one its gid, as its insert would have."""
    if not table.has_int_id:
        return None
    return (
        f"INSERT INTO sync_ids (tbl, local_id, gid) SELECT {_q(table.name)}, r.id, "
        f"{new_gid_sql(table, 'r', fresh=False)} FROM {_ident(table.name)} AS r WHERE NOT EXISTS "
        f"(SELECT 1 FROM sync_ids WHERE tbl = {_q(table.name)} AND local_id = r.id) "
        "ON CONFLICT DO NOTHING"
    )


def fill_clock_sql(table: SyncedTable, columns: tuple[str, ...]) -> str:
    """Stamp every field of every synced row of `table` that has no stamp with the one
    parameter (the HLC of enabling): what a device knows before it hears of any change."""
    fields = "'[" + ",".join(f'"{c}"' for c in columns) + "]'"
    if table.has_int_id:
        rows = f"SELECT gid FROM sync_ids WHERE tbl = {_q(table.name)} AND local_id IS NOT NULL"
    else:
        assert table.key is not None
        rows = f"SELECT {_ident(table.key)} AS gid FROM {_ident(table.name)} AS r"
        if table.only_keys:
            keys = ", ".join(_q(k) for k in table.only_keys)
            rows += f" WHERE r.{_ident(table.key)} IN ({keys})"
    return (
        f"INSERT INTO sync_clock (tbl, gid, field, hlc) SELECT {_q(table.name)}, g.gid, "
        f"f.value, ? FROM ({rows}) AS g, json_each({fields}) AS f WHERE true "
        "ON CONFLICT DO NOTHING"
    )


def fill_existing(conn: Any, hlc: str) -> None:
    """gids and field stamps (`hlc`) for every synced row that has none, parents first, on
    SQLite's own connection in the caller's transaction."""
    for table in SYNCED_TABLES:
        ids = fill_ids_sql(table)
        if ids is not None:
            conn.execute(ids)
        conn.execute(fill_clock_sql(table, synced_columns(conn, table)), (hlc,))


def snapshot_rows_sql(table: SyncedTable, columns: tuple[str, ...]) -> str:
    """Every live synced row of `table` as (gid, its row as exchanged), for a snapshot that
    a new device starts from: the same shape an insert's op carries."""
    where = ""
    if table.only_keys:
        assert table.key is not None
        keys = ", ".join(_q(k) for k in table.only_keys)
        where = f" WHERE r.{_ident(table.key)} IN ({keys})"
    return (
        f"SELECT {gid_of_row_sql(table, 'r')}, {row_json_sql(table, columns, 'r')} "
        f"FROM {_ident(table.name)} AS r{where}"
    )
