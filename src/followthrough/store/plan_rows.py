"""The re-planner's reads, straight from the driver's cursor.

The planner (services/planning.py) is the tick's hot path: SQLAlchemy's result rows and type
processing cost about a microsecond a value, so these reads skip them and parse stored times
with the same rule as UTCDateTime. They run on the caller's connection, in its transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table

from followthrough.store.db import driver_of
from followthrough.store.types import UTCDateTime
from followthrough.store.utc import utc_from_stored

TimelineRow = tuple[int, datetime, str, str, str | None]


@cache
def _time_places(table: Table, fields: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(i for i, f in enumerate(fields) if isinstance(table.c[f].type, UTCDateTime))


def rows_where_in(
    conn: Connection, table: Table, fields: Sequence[str], key: str, ids: Sequence[int]
) -> list[list[Any]]:
    """Rows of `fields` where `key` is one of `ids`, stored times as aware datetimes.

    Column names come from the table, so a renamed column fails loudly.
    """
    names = ", ".join(table.c[field].name for field in fields)
    marks = ",".join("?" * len(ids))  # placeholders only: the ids are bound
    sql = f"SELECT {names} FROM {table.name} WHERE {table.c[key].name} IN ({marks})"  # noqa: S608
    timed = _time_places(table, tuple(fields))
    rows = []
    for raw in driver_of(conn).execute(sql, tuple(ids)).fetchall():
        row = list(raw)
        for i in timed:
            if row[i] is not None:
                row[i] = utc_from_stored(row[i])
        rows.append(row)
    return rows


def timeline_rows(conn: Connection, lead_ids: Sequence[int]) -> Iterator[TimelineRow]:
    """(lead_id, at, kind, direction, the payload of a state change) for the leads' events,
    by lead in time order; only the moves' payloads (from → to) are read."""
    marks = ",".join("?" * len(lead_ids))  # placeholders only: the ids are bound
    query = (
        "SELECT lead_id, at, kind, direction, CASE WHEN kind = 'state_change' THEN payload END "  # noqa: S608
        f"FROM event WHERE lead_id IN ({marks}) ORDER BY lead_id, at, id"
    )
    rows = driver_of(conn).execute(query, tuple(lead_ids)).fetchall()
    for lead_id, stored_at, kind, direction, payload in rows:
        yield lead_id, utc_from_stored(stored_at), kind, direction, payload


def meeting_steps(conn: Connection, lead_ids: Sequence[int]) -> list[tuple[int, datetime]]:
    """(lead_id, start) of the calendar meetings that are these leads' next steps and whose
    outcome is not known yet (services/calendar/meetings.py sets and clears the flag)."""
    marks = ",".join("?" * len(lead_ids))  # placeholders only: the ids are bound
    query = (
        f"SELECT lead_id, start FROM meeting WHERE lead_id IN ({marks})"  # noqa: S608
        " AND sets_next_step AND answer IS NULL AND NOT cancelled"
    )
    rows = driver_of(conn).execute(query, tuple(lead_ids)).fetchall()
    return [(lead_id, utc_from_stored(start)) for lead_id, start in rows]
