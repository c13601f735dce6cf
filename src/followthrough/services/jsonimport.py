"""Taking a full JSON export back: into an empty data folder, every record with its id.

The whole file is checked before anything is written, and everything goes in one
transaction, so a damaged or foreign file leaves the database exactly as it was.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Integer, Table, delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import JSON

from followthrough.errors import InvalidData, NotFound
from followthrough.services.export import EXPORT_FORMAT, EXPORT_VERSION, SECTIONS
from followthrough.services.jsonimport_checks import RECORD_CHECKS
from followthrough.services.touch_facts import fill_missing_facts
from followthrough.store.db import Database
from followthrough.store.migrate import known_revisions
from followthrough.store.tables import TEMPLATE
from followthrough.store.types import UTCDateTime

NOT_AN_EXPORT = "that JSON file is not a Followthrough export"
_BATCH = 5000


def looks_like_export(path: Path) -> bool:
    """Does the file start like JSON (`{`, after a BOM and white space) rather than a CSV?"""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"{")


def import_json(
    db: Database,
    path: Path,
    now: datetime | None = None,
    before_writing: Callable[[], object] | None = None,
) -> dict[str, int]:
    """Insert everything in a JSON export into this (empty) database; counts per section.

    Settings in the file replace the ones here. `now` is accepted like every import's, but
    nothing here depends on it: the records keep the times they were exported with.
    `before_writing` runs once the whole file has passed every check (the CLI's backup):
    a file that is refused leaves nothing behind, not even a backup.
    """
    data = _read(path)
    rows = {section: _rows(data, section, table) for section, table in SECTIONS.items()}
    with db.read() as session:
        _refuse_unless_empty(session.connection())
    if before_writing is not None:
        before_writing()
    with db.write() as session:
        connection = session.connection()
        _refuse_unless_empty(connection)
        connection.execute(delete(SECTIONS["settings"]))
        for section, table in SECTIONS.items():
            for start in range(0, len(rows[section]), _BATCH):
                try:
                    connection.execute(insert(table), rows[section][start : start + _BATCH])
                except IntegrityError as error:
                    raise InvalidData(
                        f"the {section} in the file do not fit together ({_why(error)}); "
                        "nothing was imported",
                        section,
                    ) from None
        # An export from before the reports' kept facts (schema 0009) has none.
        fill_missing_facts(connection)
    return {section: len(found) for section, found in rows.items()}


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = json.loads(handle.read().removeprefix(codecs.BOM_UTF8))
    except FileNotFoundError:
        raise NotFound(f"there is no file {path}") from None
    except OSError as error:
        raise InvalidData(f"cannot read {path}: {(error.strerror or '').lower()}", "file") from None
    except RecursionError:
        raise InvalidData(
            f"{path.name} nests its data too deeply to be an export; nothing was imported", "file"
        ) from None
    except (UnicodeDecodeError, ValueError):
        raise InvalidData(
            f"{path.name} is not a complete JSON file (damaged or cut short); nothing was imported",
            "file",
        ) from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InvalidData(NOT_AN_EXPORT, "file")
    if data.get("version") != EXPORT_VERSION:
        raise InvalidData(
            f"this export is version {data.get('version')}; this Followthrough reads version "
            f"{EXPORT_VERSION}: update Followthrough to import it",
            "file",
        )
    if data.get("schema") not in known_revisions():
        raise InvalidData(
            "this export comes from a newer Followthrough: update to import it", "file"
        )
    return data


def _refuse_unless_empty(connection: Any) -> None:
    found = {}
    for section in ("leads", "events", "alerts", "templates"):
        table = SECTIONS[section]
        query = select(func.count()).select_from(table)
        if table is TEMPLATE:
            query = query.where(TEMPLATE.c.builtin == literal(False))
        found[section] = connection.execute(query).scalar_one()
    if any(found.values()):
        what = ", ".join(f"{n} {section}" for section, n in found.items() if n)
        raise InvalidData(
            f"import a full export only into an empty data folder: this one already has {what}",
            "file",
        )


# Fields newer than the export format: a file from an earlier version has none, and reads
# as the database would have filled them in.
ADDED_LATER: dict[tuple[str, str], Any] = {
    ("alerts", "snoozes"): 0,
    # Kept for the reports since schema 0009; without them the reports walk the timeline.
    ("events", "lead_state"): None,
    ("events", "answered_at"): None,
    ("alerts", "raised_state"): None,
    ("alerts", "raised_stage_signal"): None,
    ("alerts", "raised_unanswered"): None,
    ("alerts", "raised_decision"): None,
    ("leads", "auto_signals"): True,
}
# Whole sections newer than the format, read as empty from an earlier version's file.
SECTIONS_ADDED_LATER = frozenset({"match_skips", "meetings"})


def _rows(data: dict[str, Any], section: str, table: Table) -> list[dict[str, Any]]:
    """The section's records as insertable rows, or InvalidData naming the first bad one."""
    records = data.get(section, [] if section in SECTIONS_ADDED_LATER else None)
    if not isinstance(records, list):
        raise InvalidData(f"the export has no list of {section}; nothing was imported", section)
    columns = [(column.name, _checker(column.type), column.nullable) for column in table.c]
    names = {name for name, _, _ in columns}
    rows: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise _bad(section, number, None, "is not a record")
        extra = sorted(set(record) - names)
        if extra:
            raise _bad(section, number, record, f"has an unknown field '{extra[0]}'")
        row: dict[str, Any] = {}
        for name, check, nullable in columns:
            if name not in record and (section, name) not in ADDED_LATER:
                raise _bad(section, number, record, f"has no '{name}'")
            value = record.get(name, ADDED_LATER.get((section, name)))
            if value is None:
                if not nullable:
                    raise _bad(section, number, record, f"has no value for '{name}'")
                row[name] = None
                continue
            try:
                row[name] = check(value)
            except (TypeError, ValueError) as error:
                raise _bad(section, number, record, f"'{name}': {error}") from None
        try:
            rows.append(RECORD_CHECKS[section](row))
        except InvalidData as error:
            raise _bad(section, number, record, f"'{error.field}': {error}") from None
    return rows


def _bad(section: str, number: int, record: dict[str, Any] | None, problem: str) -> InvalidData:
    label = f"{section} record {number}"
    if record is not None and "id" in record:
        label += f" (id {record['id']})"
    return InvalidData(f"{label} {problem}; nothing was imported", section)


def _checker(kind: Any) -> Any:
    if isinstance(kind, UTCDateTime):
        return _time
    if isinstance(kind, JSON):
        return _any
    if isinstance(kind, Boolean):
        return _bool
    if isinstance(kind, Integer):
        return _int
    return _text


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not an ISO 8601 time") from None
    if moment.utcoffset() is None:
        raise ValueError(f"'{value}' has no UTC offset")
    return moment


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not true or false")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _any(value: Any) -> Any:
    return value


def _why(error: IntegrityError) -> str:
    # sqlite3's message ("FOREIGN KEY constraint failed", "UNIQUE constraint failed: ...")
    # is the most precise account there is; keep it short.
    return str(error.orig).split("\n")[0]
