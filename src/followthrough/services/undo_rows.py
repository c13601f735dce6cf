"""Writing a lead's rows back as a snapshot holds them, by the fewest row changes.

Every row written to the lead, event, alert, match_skip and meeting tables is, with sync on,
an op that each other device applies. Putting a lead back by deleting it with its whole
history and inserting it all again sent a delete of the lead and hundreds of deletes and
inserts for an undone field edit, and a device that edited the lead meanwhile could bring the
deleted lead back beside the restored one. So the rows there now are compared with the rows
wanted, by id: a row no longer wanted is deleted, a missing one inserted, one that differs
updated in the columns that differ, and a row already as wanted is not written at all. An
undone name edit is then one update of the lead, naming its name.

Values are compared as the snapshots hold them (read through the tables' own types), so a time
or a JSON value that reads back the same is the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, update

from followthrough.domain.alerts import AlertStatus

Row = Mapping[str, Any]

# At most one live alert per lead and rule (a partial unique index): an update that ends one
# is written before an update that makes another live, so the two never coexist mid-restore.
_LIVE = frozenset({AlertStatus.OPEN.value, AlertStatus.SNOOZED.value})


@dataclass(frozen=True)
class RowDiff:
    """What turns one table's rows of a lead as they are into the rows wanted."""

    gone: tuple[int, ...] = ()  # ids to delete
    changed: tuple[tuple[int, dict[str, Any]], ...] = ()  # id, and only the columns that differ
    missing: tuple[Row, ...] = ()  # whole rows to insert, ids included


@dataclass(frozen=True)
class Rows:
    """One child table's rows of the lead: as they are now, and as wanted."""

    table: Table
    current: Sequence[Row]
    target: Sequence[Row]


def differing(current: Row, target: Row) -> dict[str, Any]:
    """The columns of `target` whose values are not those of `current`, with their values."""
    return {
        column: value
        for column, value in target.items()
        if column not in current or current[column] != value
    }


def diff_rows(current: Sequence[Row], target: Sequence[Row]) -> RowDiff:
    """Rows keyed by their `id`: deletes, updates and inserts (in the target's order, but
    see _LIVE)."""
    now = {row["id"]: row for row in current}
    wanted = {row["id"]: row for row in target}
    changed = []
    for row_id, row in wanted.items():
        if row_id in now and (values := differing(now[row_id], row)):
            changed.append((row_id, values))
    # Rows that stop being live first (see _LIVE); the sort is stable, so otherwise in order.
    changed.sort(key=lambda item: item[1].get("status") in _LIVE)
    return RowDiff(
        gone=tuple(row_id for row_id in now if row_id not in wanted),
        changed=tuple(changed),
        missing=tuple(row for row_id, row in wanted.items() if row_id not in now),
    )


def write_difference(
    conn: Connection,
    lead: Table,
    current_lead: Row | None,
    target_lead: Row | None,
    children: Sequence[Rows],
) -> None:
    """Make the lead's row and its children's rows what the target holds, in as few writes.

    Children go before a lead deleted and come after a lead inserted: the lead is their parent
    (with foreign keys on, either other order fails). A lead deleted takes its children with
    it, by SQLite's cascade, as a delete from the board does: with sync on that is one delete
    of the lead, and its history is kept aside should another machine's later change bring
    the lead back (store/sync_schema.py), which deleting each child first would forbid.
    """
    diffs = [(rows.table, diff_rows(rows.current, rows.target)) for rows in children]
    if target_lead is not None:
        for table, diff in diffs:
            _write(conn, table, RowDiff(gone=diff.gone))
    lead_diff = diff_rows(
        [current_lead] if current_lead is not None else [],
        [target_lead] if target_lead is not None else [],
    )
    _write(conn, lead, lead_diff)
    for table, diff in diffs:
        _write(conn, table, RowDiff(changed=diff.changed, missing=diff.missing))


def _write(conn: Connection, table: Table, diff: RowDiff) -> None:
    if diff.gone:
        conn.execute(
            delete(table).where(table.c.id == bindparam("gone_id")),
            [{"gone_id": row_id} for row_id in diff.gone],
        )
    for row_id, values in diff.changed:
        conn.execute(update(table).where(table.c.id == row_id).values(values))
    if diff.missing:
        conn.execute(insert(table), [dict(row) for row in diff.missing])
