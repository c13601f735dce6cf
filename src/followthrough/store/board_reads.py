"""The board's, Today's and the archive's reads, as plain SQL on SQLite's own connection.

Two callers share them: the running app, whose SQLAlchemy session lends its connection (so
the reads join the session's transaction: store/db.py, `board_reader`), and the first look
at start-up (`read_file_snapshot` below), which opens the file with the standard library
while SQLAlchemy is still being imported. That is why this module imports nothing but the
standard library and the domain: importing SQLAlchemy and SQLModel costs more than half a
second on a slow machine, longer than the whole read.

Every query here is answered from the board indexes (see store/models.py), so the cost
follows the page size, not the pipeline's. Rows come back as dicts of column values, stored
times already read as aware datetimes; services/board_rows.py makes the views of them.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.signals import EventKind
from followthrough.domain.urgency import LEAST_URGENT, URGENCY
from followthrough.store.board_sql import ARCHIVE_SQL, BOARD_DATE_SQL
from followthrough.store.migrate import SCHEMA_HEAD
from followthrough.store.utc import utc_from_stored

# A literal, not a bound value: the planner then knows which status the index is asked for.
_OPEN = f"'{AlertStatus.OPEN}'"

log = logging.getLogger(__name__)
T = TypeVar("T")
Row = dict[str, Any]

# The stored columns the views show (services/readmodels.py), in the views' order, and
# which of them hold times. A test holds them to the tables and to the views.
LEAD_COLUMNS = (
    "id", "name", "company", "email", "phone", "title", "state", "state_since", "decision",
    "next_step", "next_step_due", "recycle_until", "recycle_reason", "last_outbound_at",
    "last_inbound_at", "unanswered", "tags", "next_check_at", "created_at", "updated_at",
)  # fmt: skip
LEAD_TIMES = frozenset({
    "state_since", "next_step_due", "recycle_until", "last_outbound_at", "last_inbound_at",
    "next_check_at", "created_at", "updated_at",
})  # fmt: skip
ALERT_COLUMNS = (
    "id", "lead_id", "rule", "kind", "reason", "intent", "status", "raised_at", "due_at",
    "snoozed_until", "resolved_at", "outcome",
)  # fmt: skip
ALERT_TIMES = frozenset({"raised_at", "due_at", "snoozed_until", "resolved_at"})

SELECT_LEAD = "SELECT " + ", ".join(LEAD_COLUMNS) + " FROM lead"  # noqa: S608
# Repeats the index's expressions exactly, or SQLite sorts instead of walking the index.
ORDER = f"({BOARD_DATE_SQL}) IS NULL, {BOARD_DATE_SQL}, name, id"
_SELECT_ALERT = ", ".join(f"alert.{name}" for name in ALERT_COLUMNS)
_URGENCY_SQL = (
    "CASE alert.kind "
    + " ".join(f"WHEN '{kind.value}' THEN {rank}" for kind, rank in URGENCY.items())
    + f" ELSE {LEAST_URGENT} END, coalesce(alert.due_at, alert.raised_at), alert.id"
)
# INDEXED BY: without statistics SQLite prefers the (state, search_key) index and sorts every
# archived lead for each page; the archive index is already in the order the list shows.
# The WHERE repeats the partial index's condition, which is what lets SQLite use it at all.
ARCHIVE_PAGE_SQL = (
    f"{SELECT_LEAD} INDEXED BY ix_lead_archive WHERE {ARCHIVE_SQL}{{match}} "
    "ORDER BY state_since DESC, id DESC LIMIT :limit OFFSET :offset"
)


def search_clause(needle: str | None) -> str:
    """The WHERE term that keeps leads matching `:needle` (nothing without a search).

    `needle` is matched against the stored search key: casefolded, space-joined.
    """
    # instr() rather than LIKE: no escaping of % and _, and a plain substring test.
    return " AND instr(search_key, :needle) > 0" if needle else ""


def _typed(names: Sequence[str], times: frozenset[str], row: Sequence[Any]) -> Row:
    values = dict(zip(names, row, strict=True))
    for name in times:
        if values.get(name) is not None:
            values[name] = utc_from_stored(values[name])
    return values


def lead_row(row: Sequence[Any]) -> Row:
    """A row of SELECT_LEAD by column name, its times as aware datetimes."""
    return _typed(LEAD_COLUMNS, LEAD_TIMES, row)


class BoardReader:
    """The board's queries on one SQLite connection, inside its caller's transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def setting(self, key: str) -> Any:
        """A setting's stored JSON value, decoded; None when it is not set."""
        row = self._conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row and row[0] is not None else None

    def has_setting(self, key: str) -> bool:
        found = self._conn.execute("SELECT 1 FROM setting WHERE key = ?", (key,)).fetchone()
        return found is not None

    def count_by_state(self, states: Sequence[str], needle: str | None) -> dict[str, int]:
        """How many leads each state holds (matching the search); a state with none is left out."""
        marks = ", ".join(f":s{i}" for i in range(len(states)))
        params: dict[str, Any] = {f"s{i}": s for i, s in enumerate(states)}
        params["needle"] = needle
        rows = self._conn.execute(
            # Only placeholders and constants are spliced in; values are bound.
            f"SELECT state, count(*) FROM lead WHERE state IN ({marks}){search_clause(needle)} "  # noqa: S608
            "GROUP BY state",
            params,
        )
        return {str(state): int(count) for state, count in rows}

    def column_rows(self, state: str, needle: str | None, offset: int, limit: int) -> list[Row]:
        """One board column's leads from `offset`, in the board's order."""
        rows = self._conn.execute(
            f"{SELECT_LEAD} WHERE state = :state{search_clause(needle)} "
            f"ORDER BY {ORDER} LIMIT :limit OFFSET :offset",
            {"state": state, "needle": needle, "limit": limit, "offset": offset},
        ).fetchall()
        return [lead_row(row) for row in rows]

    def lead(self, lead_id: int) -> Row | None:
        row = self._conn.execute(f"{SELECT_LEAD} WHERE id = ?", (lead_id,)).fetchone()
        return None if row is None else lead_row(row)

    def lead_matches(self, lead_id: int, needle: str) -> bool:
        found = self._conn.execute(
            # A constant clause is spliced in; the values are bound.
            f"SELECT 1 FROM lead WHERE id = :id{search_clause(needle)}",  # noqa: S608
            {"id": lead_id, "needle": needle},
        ).fetchone()
        return found is not None

    def open_alert_counts(self, lead_ids: Sequence[int]) -> dict[int, int]:
        if not lead_ids:
            return {}
        # A page is at most a few hundred ids: well within SQLite's cap on bound variables.
        # `+status` keeps SQLite off the status index (thousands of open alerts in a backlog)
        # and on the lead_id one (a handful per lead).
        marks = ", ".join("?" * len(lead_ids))
        rows = self._conn.execute(
            f"SELECT lead_id, count(*) FROM alert WHERE +status = {_OPEN} AND lead_id IN ({marks}) "  # noqa: S608
            "GROUP BY lead_id",
            tuple(lead_ids),
        )
        return {int(lead_id): int(count) for lead_id, count in rows}

    def open_alert_total(self) -> int:
        sql = f"SELECT count(*) FROM alert WHERE status = {_OPEN}"  # noqa: S608
        (total,) = self._conn.execute(sql).fetchone()
        return int(total)

    def most_urgent_alerts(self, limit: int) -> list[tuple[Row, str]]:
        """The `limit` most urgent open alerts, each with its lead's name.

        The top is chosen from the alerts' ids alone, and only those rows are read whole and
        joined to their leads: a backlog can hold thousands.
        """
        rows = self._conn.execute(
            f"SELECT {_SELECT_ALERT}, lead.name FROM alert JOIN lead ON lead.id = alert.lead_id "  # noqa: S608
            f"WHERE alert.id IN (SELECT alert.id FROM alert WHERE status = {_OPEN} "
            f"ORDER BY {_URGENCY_SQL} LIMIT ?) ORDER BY {_URGENCY_SQL}",
            (limit,),
        )
        return [(_typed(ALERT_COLUMNS, ALERT_TIMES, row[:-1]), str(row[-1])) for row in rows]

    def archive_rows(self, needle: str | None, offset: int, limit: int) -> list[Row]:
        """Won and lost leads, newest first, from `offset`; `limit` -1 for all the rest."""
        rows = self._conn.execute(
            ARCHIVE_PAGE_SQL.format(match=search_clause(needle)),
            {"needle": needle, "limit": limit, "offset": offset},
        )
        return [lead_row(row) for row in rows]

    def state_moves(self, lead_ids: Sequence[int]) -> list[tuple[int, str | None, str | None]]:
        """(lead id, the state moved to, the reason given) of the leads' moves, oldest first."""
        if not lead_ids:
            return []
        # A page is at most a few hundred ids: well within SQLite's cap on bound variables.
        # Each lead's moves are found through the (lead_id, at) index: a handful per lead.
        marks = ", ".join(f":i{n}" for n in range(len(lead_ids)))
        rows = self._conn.execute(
            "SELECT lead_id, json_extract(payload, '$.to'), text FROM event "  # noqa: S608
            f"WHERE lead_id IN ({marks}) AND kind = :kind ORDER BY at, id",
            {"kind": EventKind.STATE_CHANGE.value, **{f"i{n}": i for n, i in enumerate(lead_ids)}},
        )
        return [(int(lead_id), moved_to, reason) for lead_id, moved_to, reason in rows]


def read_file_snapshot(path: Path, read: Callable[[BoardReader], T]) -> T | None:
    """`read` on one snapshot of the database at `path`, opened with the standard library.

    The read never writes (`query_only`), never creates the file, and steps aside (None)
    for anything unusual: no file yet, a schema to migrate, a file that is not ours or is
    damaged, or rows `read` cannot make sense of. The full open then handles and explains it.
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        # mode=rw: a missing file is an error here, never a new empty database.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    except (OSError, sqlite3.Error):
        return None
    try:
        with closing(conn):
            conn.execute("PRAGMA query_only=ON")
            conn.execute("BEGIN")  # one snapshot: the counts agree with the columns
            if _revision(conn) != SCHEMA_HEAD:
                return None
            found = read(BoardReader(conn))
            conn.execute("ROLLBACK")
            return found
    except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
        log.info("start-up read stepped aside: %s", type(exc).__name__)
        return None


def _revision(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if row is None:
        return None
    found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(found[0]) if found else None
