"""Exports: the leads as a CSV spreadsheet, or everything as a JSON file `jsonimport` takes back.

Both read one consistent snapshot (a single read transaction) and stream: rows come from
SQLite in batches and go straight to the file, so 100k leads never sit in memory as objects.
The JSON records are built by SQLite itself (`json_object`), which is several times faster
than building dicts in Python and keeps the output byte-for-byte deterministic.

A file is written under a temporary name in the target folder (created 0600, see safefiles),
synced, and renamed into place: a crash or a full disk never leaves half an export under the
real name.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    LargeBinary,
    Table,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.types import JSON

from followthrough.domain.csvsafe import spreadsheet_text
from followthrough.domain.states import State
from followthrough.errors import InvalidData, StorageError
from followthrough.services.clock import utcnow
from followthrough.store.db import Database
from followthrough.store.migrate import schema_revision
from followthrough.store.safefiles import publish, temp_beside
from followthrough.store.tables import ALERT, EVENT, LEAD, MATCH_SKIP, MEETING, SETTING, TEMPLATE
from followthrough.store.types import UTCDateTime, iso_from_stored_sql

EXPORT_FORMAT = "followthrough-export"
EXPORT_VERSION = 1
BATCH = 5000

# Section name in the JSON file → table, in the order an import must insert them.
SECTIONS: dict[str, Table] = {
    "leads": LEAD,
    "events": EVENT,
    "alerts": ALERT,
    "templates": TEMPLATE,
    "settings": SETTING,
    "match_skips": MATCH_SKIP,
    "meetings": MEETING,
}

CSV_HEADINGS = (
    "Name", "Company", "Email", "Phone", "Title", "State", "Next step", "Due", "Tags",
    "Recycle until", "Recycle reason", "Last contact", "Created",
)  # fmt: skip


def default_file_name(fmt: str, now: datetime) -> str:
    """`followthrough-export-YYYYmmdd-HHMM.<fmt>`, in local time (what the user sees)."""
    return f"followthrough-export-{now.astimezone().strftime('%Y%m%d-%H%M')}.{fmt}"


# --- CSV ----------------------------------------------------------------------------------


def export_csv(db: Database, out: Path, now: datetime | None = None, *,
               overwrite: bool = False) -> int:  # fmt: skip
    """Write one row per lead to `out` (UTF-8 with a BOM, so Excel reads accents right)."""
    with _private_file(out, overwrite) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            return write_csv(db, stream)
        finally:
            stream.flush()
            stream.detach()  # the file stays open for its fsync


def write_csv(db: Database, stream: TextIO) -> int:
    """The CSV rows, to an open text stream (opened with newline=""); returns leads written."""
    writer = csv.writer(stream)
    writer.writerow(CSV_HEADINGS)
    c = LEAD.c
    # Whichever of the two is set, or the later of both (SQLite's max() of a NULL is NULL).
    last = func.max(func.coalesce(c.last_outbound_at, c.last_inbound_at),
                    func.coalesce(c.last_inbound_at, c.last_outbound_at))  # fmt: skip
    query = select(
        c.name, c.company, c.email, c.phone, c.title, c.state, c.next_step,
        _csv_time(c.next_step_due), func.json(c.tags), _csv_time(c.recycle_until),
        c.recycle_reason, _csv_time(last), _csv_time(c.created_at),
    ).order_by(c.id)  # fmt: skip
    count = 0
    with db.read() as session:
        result = session.connection().execute(query)
        for rows in result.partitions(BATCH):
            writer.writerows(_csv_cells(row) for row in rows)
            count += len(rows)
    return count


def _csv_cells(row: Any) -> list[str]:
    name, company, email, phone, title, state, step, due, tags, until, reason, last, made = row
    tag_text = "; ".join(json.loads(tags)) if tags and tags != "[]" else ""
    return [
        _guard(name), _guard(company), _guard(email), _guard(phone), _guard(title),
        State(state).label, _guard(step), due or "", _guard(tag_text), until or "",
        _guard(reason), last or "", made or "",
    ]  # fmt: skip


_guard = spreadsheet_text  # a name, note or tag from outside never runs as a formula


def _csv_time(column: Any) -> ColumnElement[Any]:
    # Whole seconds, UTC, with its offset: unambiguous in any spreadsheet and any zone.
    return func.strftime("%Y-%m-%dT%H:%M:%S+00:00", column)


# --- JSON ---------------------------------------------------------------------------------


def export_json(db: Database, out: Path, now: datetime | None = None, *,
                overwrite: bool = False) -> dict[str, int]:  # fmt: skip
    """Write every lead, event, alert, user template and setting to `out`; counts per section."""
    with _private_file(out, overwrite) as stream:
        return write_json(db, stream, now)


def write_json(db: Database, stream: BinaryIO, now: datetime | None = None) -> dict[str, int]:
    """The JSON export (UTF-8), to an open binary stream. One record a line, ordered by id."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    with db.read() as session:
        for piece in _json_text(session.connection(), now, counts):
            stream.write(piece)
    return counts


def _json_text(connection: Connection, now: datetime, counts: dict[str, int]) -> Iterator[bytes]:
    """The export's text in pieces; fills `counts` as it goes."""
    schema = schema_revision(connection)
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "schema": schema,
        "exported_at": iso_utc(now),
    }
    lines = (f"{json.dumps(key)}: {json.dumps(value)},\n" for key, value in header.items())
    yield ("{\n" + "".join(lines)).encode()
    for number, (section, table) in enumerate(SECTIONS.items()):
        yield f"{json.dumps(section)}: [".encode()
        counts[section] = 0
        for text, found in _record_pages(connection, table):
            yield (b"\n" if counts[section] == 0 else b",\n") + text
            counts[section] += found
        yield b"\n]" + (b",\n" if number < len(SECTIONS) - 1 else b"\n")
    yield b"}\n"


def _record_pages(connection: Connection, table: Table) -> Iterator[tuple[bytes, int]]:
    """`table`'s records a page at a time, each page joined into one string by SQLite.

    Handing Python one string per page instead of one row per record makes the 1M events
    of a 100k-lead pipeline several times cheaper to read; as a BLOB, the page's UTF-8
    goes to the file as SQLite made it, never decoded into text and encoded back.
    """
    key = table.c.id if "id" in table.c else table.c.key
    page = select(record_sql(table).label("record"), key.label("k")).order_by(key).limit(BATCH)
    if table is TEMPLATE:
        page = page.where(TEMPLATE.c.builtin == literal(False))  # built-ins ship with the app
    after = None
    while True:
        # group_concat keeps the order of its ordered, limited subquery (SQLite runs such a
        # subquery as-is, never flattened); the round-trip test would catch a change.
        rows = (page if after is None else page.where(key > after)).subquery()
        text, after, found = connection.execute(
            select(
                cast(func.group_concat(rows.c.record, ",\n"), LargeBinary),
                func.max(rows.c.k),
                func.count(),
            )
        ).one()
        if not found:
            return
        yield text, found


def record_sql(table: Table) -> ColumnElement[Any]:
    """One row of `table` as a JSON object, every column, built by SQLite."""
    parts: list[Any] = []
    for column in table.c:
        parts += [literal(column.name), _json_value(column)]
    return func.json_object(*parts)


def _json_value(column: Any) -> Any:
    if isinstance(column.type, UTCDateTime):
        return iso_from_stored_sql(column)
    if isinstance(column.type, JSON):
        return func.json(column)  # stored JSON text, embedded as JSON rather than as a string
    if isinstance(column.type, Boolean):
        return func.json(case((column.is_(None), None), (column != 0, "true"), else_="false"))
    return column


def iso_utc(moment: datetime) -> str:
    """The same text `iso_from_stored_sql` gives, for a moment in Python."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- writing files ------------------------------------------------------------------------


def check_target(out: Path, overwrite: bool = False) -> None:
    """Refuse, before any work, a target that exists (unless asked) or has no folder."""
    if out.exists() and not overwrite:
        raise InvalidData(f"{out} already exists; choose another file name", "output")
    if out.is_dir():
        raise InvalidData(f"{out} is a folder; choose a file name", "output")
    if not out.parent.is_dir():
        raise InvalidData(f"the folder {out.parent} does not exist", "output")


def write_private_text(out: Path, text: str, *, overwrite: bool = False) -> Path:
    """Write `text` (UTF-8) to `out` as the exports are written: private, whole or not at all."""
    with _private_file(out, overwrite) as stream:
        stream.write(text.encode("utf-8"))
    return out


@contextlib.contextmanager
def _private_file(out: Path, overwrite: bool) -> Iterator[BinaryIO]:
    check_target(out, overwrite)
    with contextlib.ExitStack() as cleanup:
        try:
            # Private (0600) and locked from its first byte; removed however the block ends.
            temp = cleanup.enter_context(temp_beside(out))
        except OSError as error:
            raise StorageError(f"cannot write in {out.parent}: {_reason(error)}") from None
        try:
            with os.fdopen(temp.fd, "wb", closefd=False) as stream:
                yield stream
                stream.flush()
            publish(temp, out, replace=overwrite)  # synced; never over a file made meanwhile
        except FileExistsError:
            raise InvalidData(f"{out} already exists; choose another file name", "output") from None
        except OSError as error:
            raise StorageError(f"cannot write {out}: {_reason(error)}") from None


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
