"""The CSV import's statements, straight on SQLite's own cursor, in the caller's transaction.

SQLAlchemy's per-value processing would cost more than the rest of an import together, so
the import (services/csvimport/) writes its batches through these plain statements. Times
come in as stored text (`store.utc.stored_text`), already in the form UTCDateTime reads.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Index
from sqlmodel import Session

from followthrough.store.db import driver_connection
from followthrough.store.tables import LEAD

# The values of one new lead, in the order of `_INSERT_LEAD`'s placeholders.
LeadValues = tuple[Any, ...]
# (lead_id, kind, payload as JSON text, text) of one event the import writes.
EventValues = tuple[int, str, str, str | None]
# (id, name, company, email, phone, tags as JSON text, next_step) of a lead to merge into.
MergeTarget = tuple[int, str, str | None, str | None, str | None, str, str | None]
# The values of `_UPDATE_MERGED`'s numbered placeholders, ?1 to ?10.
MergedValues = tuple[Any, ...]

_INSERT_LEAD = (
    "INSERT INTO lead (name, company, email, email_key, phone, source, tags, "
    "search_key, state, state_since, next_step, next_step_due, recycle_until, "
    "recycle_reason, next_check_at, unanswered, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
)
_INSERT_EVENT = (
    "INSERT INTO event (lead_id, at, kind, direction, channel, text, payload, created_at)"
    " VALUES (?, ?, ?, 'none', NULL, ?, ?, ?)"
)
_UPDATE_MERGED = (
    "UPDATE lead SET name = ?1, company = ?2, phone = ?3, tags = ?4, search_key = ?5, "
    "next_step = ?6, next_step_due = CASE WHEN ?8 THEN ?7 ELSE next_step_due END, "
    "updated_at = ?9 WHERE id = ?10"
)


class ImportStatements:
    """The import's reads and writes on the session's connection, inside its transaction."""

    def __init__(self, session: Session) -> None:
        self._driver: sqlite3.Connection = driver_connection(session)

    def lead_count(self) -> int:
        return int(self._driver.execute("SELECT count(*) FROM lead").fetchone()[0])

    def ids_by_email_key(self, keys: Sequence[str]) -> dict[str, int]:
        """The leads that already have one of these e-mail keys: key → lead id."""
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))  # placeholders only: the keys are bound
        sql = f"SELECT email_key, id FROM lead WHERE email_key IN ({marks})"  # noqa: S608
        return dict(self._driver.execute(sql, keys).fetchall())

    def insert_leads(self, leads: Sequence[LeadValues]) -> list[int]:
        """Add the leads; their ids, in the order given."""
        # The import holds the write lock throughout and `lead.id` is a plain INTEGER
        # PRIMARY KEY, so SQLite numbers the new rows max(id)+1, +2... in insert order.
        base = self._driver.execute("SELECT coalesce(max(id), 0) FROM lead").fetchone()[0]
        self._driver.executemany(_INSERT_LEAD, leads)
        return list(range(base + 1, base + 1 + len(leads)))

    def insert_events(self, events: Sequence[EventValues], at: str) -> None:
        """Add events that happened (and were written) at the stored time `at`."""
        self._driver.executemany(
            _INSERT_EVENT,
            [(lead_id, at, kind, text, payload, at) for lead_id, kind, payload, text in events],
        )

    def merge_targets(self, ids: Sequence[int]) -> list[MergeTarget]:
        """What a merge may fill in, of the leads with these ids."""
        marks = ",".join("?" * len(ids))  # placeholders only: the ids are bound
        columns = "id, name, company, email, phone, tags, next_step"
        sql = f"SELECT {columns} FROM lead WHERE id IN ({marks})"  # noqa: S608
        return self._driver.execute(sql, list(ids)).fetchall()

    def update_merged(self, updates: Sequence[MergedValues]) -> None:
        """Write merged values; the due date changes only with a new next step (?8)."""
        self._driver.executemany(_UPDATE_MERGED, updates)


def drop_lead_indexes(session: Session) -> list[Index]:
    """Drop the lead table's secondary indexes, in the session's transaction.

    The e-mail index stays (it is unique, and duplicates are looked up in it). The indexes
    dropped are handed back for `create_indexes`; a rollback brings them back by itself.
    """
    conn = session.connection()
    aside = [index for index in LEAD.indexes if not index.unique]
    for index in aside:
        index.drop(conn)
    return aside


def create_indexes(session: Session, indexes: Sequence[Index]) -> None:
    conn = session.connection()
    for index in indexes:
        index.create(conn)
