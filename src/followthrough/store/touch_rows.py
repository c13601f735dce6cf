"""The reads and writes that keep each touch's facts (services/touch_facts.py), straight
from the driver: they run inside every write that changes a timeline."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection

from followthrough.store.db import driver_of
from followthrough.store.event_facts import fact_sql
from followthrough.store.utc import stored_text, utc_from_stored

# (event id, lead_id, at, kind, direction, a move's source, kept state, kept answer)
TouchRow = tuple[int, int, datetime, str, str, str | None, str | None, str | None]


def touch_rows(conn: Connection, lead_ids: Sequence[int]) -> Iterator[TouchRow]:
    """The leads' events by lead in time order (ties by id), with what each keeps now."""
    marks = ",".join("?" * len(lead_ids))  # placeholders only: the ids are bound
    query = (
        f"SELECT id, lead_id, at, kind, direction, "  # noqa: S608
        f"CASE WHEN kind = 'state_change' THEN {fact_sql('from')} END, lead_state, answered_at "
        f"FROM event WHERE lead_id IN ({marks}) ORDER BY lead_id, at, id"
    )
    for row in driver_of(conn).execute(query, tuple(lead_ids)).fetchall():
        event_id, lead_id, at, kind, direction, moved_from, state, answered = row
        yield event_id, lead_id, utc_from_stored(at), kind, direction, moved_from, state, answered


def lead_states(conn: Connection, lead_ids: Sequence[int]) -> dict[int, str]:
    marks = ",".join("?" * len(lead_ids))
    query = f"SELECT id, state FROM lead WHERE id IN ({marks})"  # noqa: S608
    return dict(driver_of(conn).execute(query, tuple(lead_ids)).fetchall())


def keep_touch_facts(conn: Connection, changes: Sequence[tuple[str, datetime | None, int]]) -> None:
    """Write (state, answered_at, event id) for each touch whose facts changed."""
    if changes:
        driver_of(conn).executemany(
            "UPDATE event SET lead_state = ?, answered_at = ? WHERE id = ?",
            [(state, stored_text(answered), event_id) for state, answered, event_id in changes],
        )


def latest_decisions(conn: Connection, lead_ids: Sequence[int]) -> dict[int, str | None]:
    """The decision each lead's latest message sent asked for (absent: none sent)."""
    marks = ",".join("?" * len(lead_ids))
    # `+kind`: walk each lead's own timeline, not every message ever sent.
    query = (
        f"SELECT lead_id, {fact_sql('decision')} FROM event "  # noqa: S608
        f"WHERE lead_id IN ({marks}) AND +kind = 'sent' ORDER BY lead_id, at, id"
    )
    return dict(driver_of(conn).execute(query, tuple(lead_ids)).fetchall())
