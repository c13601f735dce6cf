"""Importing leads from CSV files: previewed, checked row by row, written in one transaction.

The file is streamed a batch at a time (constant memory whatever its size) and every batch
is written inside the same transaction, so a cancelled, failed or killed import leaves
nothing behind, and a dry run is the same import rolled back: it reports exactly what the
real one would. Rows are written with plain statements on the driver's cursor because
SQLAlchemy's per-value processing would cost more than the rest of the import together.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, cast

from followthrough.domain.csvread import (
    SNIFF_BYTES,
    CsvFormat,
    CsvRow,
    lead_fields,
    map_columns,
    read_rows,
    sniff,
)
from followthrough.domain.importrows import ImportedLead, RowProblem, imported_lead, problem_of
from followthrough.domain.leadfields import email_key, search_key
from followthrough.domain.policy import Policy
from followthrough.domain.rules import LeadFacts, evaluate
from followthrough.domain.signals import Direction, EventKind, SignalKind, TimelineEntry
from followthrough.errors import FollowthroughError, InvalidData, NotFound, StorageError
from followthrough.paths import DataPaths
from followthrough.services.backups import get_retention, make_backup, prune_kind
from followthrough.services.clock import utcnow
from followthrough.services.planning import load_policy, replan_leads
from followthrough.store.db import Database
from followthrough.store.tables import LEAD

BATCH = 2000
PROBLEMS_KEPT = 1000
_FACTS_KEPT = 10_000  # a report lists this many; the count covers them all

__all__ = [
    "Duplicates",
    "ImportCancelled",
    "ImportPreview",
    "ImportReport",
    "RowProblem",
    "backup_before_import",
    "import_csv",
    "preview_csv",
    "prune_pre_import_backups",
]


class Duplicates(StrEnum):
    SKIP = "skip"
    MERGE = "merge"


class ImportCancelled(FollowthroughError):
    """The user stopped the import; nothing of it was written."""

    exit_code = 130


@dataclass(frozen=True)
class ImportPreview:
    format: CsvFormat
    mapping: dict[str, int]
    rows: list[list[str]]
    size: int


@dataclass(frozen=True)
class ImportReport:
    rows: int
    added: int
    merged: int
    duplicates: int
    problems: tuple[RowProblem, ...]
    dry_run: bool
    backup: Path | None
    skipped: int = 0  # rows left out for a problem; `problems` lists the first PROBLEMS_KEPT


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise NotFound(f"there is no file {path}") from None
    except IsADirectoryError:
        raise InvalidData(f"{path} is a folder, not a file", "file") from None
    except OSError as exc:
        raise InvalidData(f"cannot read {path}: {exc.strerror}", "file") from None


def _format_of(stream: BinaryIO) -> CsvFormat:
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        # A full export, not a sheet: it goes back whole, with its history, elsewhere.
        raise InvalidData(
            "this is a JSON file, not a CSV: a full Followthrough export goes back into an "
            "empty data folder with `followthrough import FILE`",
            "file",
        )
    return sniff(head)


def preview_csv(path: Path, limit: int = 20) -> ImportPreview:
    """How the file reads: its format, the guessed mapping and its first records."""
    with _open(path) as stream:
        fmt = _format_of(stream)
        rows: list[list[str]] = []
        # Closed before the file is: the reader must let go of the stream while it is open.
        with closing(cast(Generator[CsvRow], read_rows(stream, fmt))) as records:
            for row in records:
                if len(rows) >= limit:
                    break
                rows.append(row.cells)
        return ImportPreview(fmt, map_columns(list(fmt.columns)), rows, path.stat().st_size)


def check_mapping(mapping: dict[str, int], columns: Sequence[str]) -> None:
    """A mapping the user corrected: known fields, real columns, a name among them."""
    from followthrough.domain.csvread import MAPPABLE_FIELDS

    for field, index in mapping.items():
        if field not in MAPPABLE_FIELDS:
            raise InvalidData(
                f"'{field}' is not a lead field (use {', '.join(MAPPABLE_FIELDS)})", "mapping"
            )
        if not 0 <= index < len(columns):
            raise InvalidData(f"the file has no column {index + 1} for {field}", "mapping")
    taken: dict[int, str] = {}
    for field, index in mapping.items():
        if index in taken:
            raise InvalidData(
                f"the column '{columns[index]}' is mapped to both {taken[index]} and {field}",
                "mapping",
            )
        taken[index] = field
    if not {"name", "first_name", "last_name"} & mapping.keys():
        raise InvalidData("map a column to the name (or to first and last name)", "mapping")


class _Writer:
    """Writes batches of checked rows inside the caller's transaction."""

    def __init__(self, driver: sqlite3.Connection, on_duplicate: Duplicates, now: datetime,
                 source: str, policy: Policy) -> None:  # fmt: skip
        self.driver = driver
        self.policy = policy
        # Facts → first check, and tags → stored JSON: many rows share them.
        self._checks: dict[tuple[Any, ...], str | None] = {}
        self._tags: dict[tuple[str, ...], str] = {}
        self.on_duplicate = on_duplicate
        self.now = now
        self.stamp = _stored(now)
        self.source = source
        self.added = 0
        self.merged = 0
        self.duplicates = 0

    def write(self, batch: list[ImportedLead]) -> list[int]:
        """Add or merge a batch; returns the ids of existing leads it changed (to re-plan)."""
        keys = [key for lead in batch if (key := email_key(lead.email)) is not None]
        known = self._known(keys)
        fresh: list[ImportedLead] = []
        in_batch: dict[str, int] = {}  # e-mail key → its row's place in `fresh`
        merges: dict[int, ImportedLead] = {}
        for lead in batch:
            key = email_key(lead.email)
            if key is None:
                fresh.append(lead)
            elif key not in known and key not in in_batch:
                in_batch[key] = len(fresh)
                fresh.append(lead)
            elif self.on_duplicate is Duplicates.SKIP:
                self.duplicates += 1
            elif key in known:
                merges[known[key]] = _merged(merges.get(known[key]), lead)
                self.merged += 1
            else:
                place = in_batch[key]
                fresh[place] = _merged(fresh[place], lead)
                self.merged += 1
        self._insert(fresh)
        self._merge(merges)
        # New leads were planned as they were written (`_first_check`).
        return list(merges)

    def _known(self, keys: list[str]) -> dict[str, int]:
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        sql = f"SELECT email_key, id FROM lead WHERE email_key IN ({marks})"  # noqa: S608
        return dict(self.driver.execute(sql, keys).fetchall())

    def _insert(self, leads: list[ImportedLead]) -> list[int]:
        if not leads:
            return []
        # We hold the write lock for the whole import and `lead.id` is a plain INTEGER
        # PRIMARY KEY, so SQLite numbers the new rows max(id)+1, +2... in insert order.
        base = self.driver.execute("SELECT coalesce(max(id), 0) FROM lead").fetchone()[0]
        self.driver.executemany(
            "INSERT INTO lead (name, company, email, email_key, phone, source, tags, "
            "search_key, state, state_since, next_step, next_step_due, recycle_until, "
            "recycle_reason, next_check_at, unanswered, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [self._lead_row(lead) for lead in leads],
        )
        ids = list(range(base + 1, base + 1 + len(leads)))
        events: list[tuple[Any, ...]] = []
        for lead_id, lead in zip(ids, leads, strict=True):
            move = {"from": None, "to": lead.state.value, "until": _iso(lead.recycle_until)}
            events.append(
                (lead_id, EventKind.STATE_CHANGE.value, json.dumps(move), lead.recycle_reason)
            )
            if lead.notes:
                events.append((lead_id, SignalKind.NOTE.value, "{}", lead.notes))
        self._events(events)
        self.added += len(leads)
        return ids

    def _lead_row(self, lead: ImportedLead) -> tuple[Any, ...]:
        return (
            lead.name,
            lead.company,
            lead.email,
            email_key(lead.email),
            lead.phone,
            self.source,
            self._tags.get(lead.tags) or self._tags.setdefault(lead.tags, json.dumps(lead.tags)),
            search_key(lead.name, lead.company, lead.email, lead.tags),
            lead.state.value,
            self.stamp,
            lead.next_step,
            _stored(lead.next_step_due),
            _stored(lead.recycle_until),
            lead.recycle_reason,
            self._first_check(lead),
            self.stamp,
            self.stamp,
        )

    def _first_check(self, lead: ImportedLead) -> str | None:
        """When the engine should first look at a new lead, as `replan_leads` would set it.

        A new lead's whole history is what this import writes (its arrival, its notes) and
        it has no alerts, so its facts are known without reading them back; leads with the
        same facts share the answer, which keeps a 100k-row import inside its budget.
        """
        # What differs between two new leads' facts; the rest is this import's moment.
        key = (
            lead.state,
            lead.next_step,
            lead.next_step_due,
            lead.recycle_until,
            lead.recycle_reason,
            bool(lead.notes),
        )
        if key not in self._checks:
            if len(self._checks) >= _FACTS_KEPT:
                self._checks.clear()  # memory stays flat on a file where every row differs
            timeline = [TimelineEntry(self.now, EventKind.STATE_CHANGE, Direction.NONE)]
            if lead.notes:
                timeline.append(TimelineEntry(self.now, SignalKind.NOTE, Direction.NONE))
            facts = LeadFacts(
                state=lead.state,
                state_since=self.now,
                next_step=lead.next_step,
                next_step_due=lead.next_step_due,
                recycle_until=lead.recycle_until,
                recycle_reason=lead.recycle_reason,
                timeline=tuple(timeline),
            )
            moments = [finding.fires_at for finding in evaluate(facts, self.policy)]
            self._checks[key] = _stored(min(moments)) if moments else None
        return self._checks[key]

    def _events(self, events: list[tuple[Any, ...]]) -> None:
        self.driver.executemany(
            "INSERT INTO event (lead_id, at, kind, direction, channel, text, payload, created_at)"
            " VALUES (?, ?, ?, 'none', NULL, ?, ?, ?)",
            [
                (lead_id, self.stamp, kind, text, payload, self.stamp)
                for lead_id, kind, payload, text in events
            ],
        )

    def _merge(self, merges: dict[int, ImportedLead]) -> None:
        """Fill the existing leads in with what the file knows; their state stays."""
        if not merges:
            return
        marks = ",".join("?" * len(merges))
        columns = "id, name, company, email, phone, tags, next_step"
        sql = f"SELECT {columns} FROM lead WHERE id IN ({marks})"  # noqa: S608
        rows = self.driver.execute(sql, list(merges)).fetchall()
        updates = []
        notes: list[tuple[Any, ...]] = []
        for lead_id, name, company, email, phone, tags, step in rows:
            lead = merges[lead_id]
            merged_tags = list(dict.fromkeys([*json.loads(tags), *lead.tags]))
            company = lead.company or company
            updates.append(
                (
                    lead.name or name,
                    company,
                    lead.phone or phone,
                    json.dumps(merged_tags),
                    search_key(lead.name or name, company, email, merged_tags),
                    lead.next_step or step,
                    _stored(lead.next_step_due) if lead.next_step else None,
                    1 if lead.next_step else 0,
                    self.stamp,
                    lead_id,
                )
            )
            if lead.notes:
                notes.append((lead_id, SignalKind.NOTE.value, "{}", lead.notes))
        self.driver.executemany(
            "UPDATE lead SET name = ?1, company = ?2, phone = ?3, tags = ?4, search_key = ?5, "
            "next_step = ?6, next_step_due = CASE WHEN ?8 THEN ?7 ELSE next_step_due END, "
            "updated_at = ?9 WHERE id = ?10",
            updates,
        )
        self._events(notes)


def _merged(first: ImportedLead | None, later: ImportedLead) -> ImportedLead:
    """Two rows for one mailbox: the later row's values win where it has them."""
    if first is None:
        return later
    return first._replace(
        name=later.name or first.name,
        company=later.company or first.company,
        phone=later.phone or first.phone,
        next_step=later.next_step or first.next_step,
        next_step_due=later.next_step_due if later.next_step else first.next_step_due,
        tags=tuple(dict.fromkeys([*first.tags, *later.tags])),
        notes="\n\n".join(n for n in (first.notes, later.notes) if n) or None,
    )


def _stored(moment: datetime | None) -> str | None:
    """A time as UTCDateTime stores it (see store/types.py)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _batches(
    rows: Iterator[CsvRow],
    mapping: dict[str, int],
    width: int,
    now: datetime,
    problems: list[RowProblem],
    counts: list[int],
) -> Iterator[list[ImportedLead]]:
    """Checked leads, BATCH at a time; rows that fail a check go to `problems`."""
    needed = max(mapping.values(), default=-1) + 1
    batch: list[ImportedLead] = []
    for row in rows:
        counts[0] += 1
        if len(row.cells) > width:
            counts[1] += 1
            _keep(problems, RowProblem(row.line, None, _ragged(len(row.cells), width)))
            continue
        if len(row.cells) < needed:
            counts[1] += 1
            _keep(problems, RowProblem(row.line, None, _ragged(len(row.cells), width)))
            continue
        try:
            batch.append(imported_lead(lead_fields(row, mapping), row.line, now))
        except InvalidData as error:
            counts[1] += 1
            _keep(problems, problem_of(error, row.line))
            continue
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _ragged(cells: int, width: int) -> str:
    return f"the row has {cells} cells where the header has {width}"


def _keep(problems: list[RowProblem], problem: RowProblem) -> None:
    if len(problems) < PROBLEMS_KEPT:
        problems.append(problem)


class _RollBack(Exception):
    """Leaves the transaction without committing (a dry run)."""


def import_csv(
    db: Database,
    path: Path,
    *,
    mapping: dict[str, int] | None = None,
    on_duplicate: Duplicates = Duplicates.SKIP,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import the leads in a CSV file; all of them or, if anything stops it, none."""
    now = now or utcnow()
    with _open(path) as stream:
        fmt = _format_of(stream)
        columns = list(fmt.columns)
        mapping = dict(mapping) if mapping is not None else map_columns(columns)
        check_mapping(mapping, columns)
        total = path.stat().st_size
        backup = None if dry_run else backup_before_import(db, now)
        problems: list[RowProblem] = []
        counts = [0, 0]  # rows read, rows skipped for a problem
        try:
            writer = _write_all(
                db, stream, fmt, mapping, on_duplicate, dry_run, now, problems, counts,
                progress, cancelled, f"import {path.name}"[:300], total,
            )  # fmt: skip
        except BaseException:
            if backup is not None:
                # Nothing of the import was written: the copy is the database as it still is.
                backup.unlink(missing_ok=True)
            raise
    if backup is not None and not (writer.added or writer.merged):
        backup.unlink(missing_ok=True)  # nothing changed: nothing to go back to
        backup = None
    if backup is not None:
        prune_pre_import_backups(db)
    if progress is not None:
        progress(total, total)
    return ImportReport(
        rows=counts[0],
        added=writer.added,
        merged=writer.merged,
        duplicates=writer.duplicates,
        problems=tuple(problems),
        dry_run=dry_run,
        backup=backup,
        skipped=counts[1],
    )


def _write_all(
    db: Database,
    stream: BinaryIO,
    fmt: CsvFormat,
    mapping: dict[str, int],
    on_duplicate: Duplicates,
    dry_run: bool,
    now: datetime,
    problems: list[RowProblem],
    counts: list[int],
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    source: str,
    total: int,
) -> _Writer:
    """The import's one transaction: every batch written, then committed (or rolled back)."""
    writer: _Writer | None = None
    try:
        with db.write() as session:
            driver = session.connection().connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            policy = load_policy(session)
            writer = _Writer(driver, on_duplicate, now, source, policy)
            rebuilt = _set_indexes_aside(session.connection(), driver, total)
            with closing(cast(Generator[CsvRow], read_rows(stream, fmt))) as rows:
                for batch in _batches(rows, mapping, len(fmt.columns), now, problems, counts):
                    if cancelled is not None and cancelled():
                        raise ImportCancelled("Import cancelled: nothing was changed.")
                    touched = writer.write(batch)
                    replan_leads(session.connection(), touched, now, policy)
                    if progress is not None:
                        progress(_position(stream, total), total)
            for index in rebuilt:
                index.create(session.connection())
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass
    except sqlite3.OperationalError as exc:
        raise _storage_problem(exc) from None
    except Exception as exc:
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError) and isinstance(exc.orig, sqlite3.Error):
            raise _storage_problem(exc.orig) from None
        raise
    assert writer is not None
    return writer


# Bytes per row in a typical contacts file: enough to guess a file's size in rows.
_BYTES_PER_ROW = 120


def _set_indexes_aside(conn: Any, driver: sqlite3.Connection, total: int) -> list[Any]:
    """Drop the lead table's secondary indexes when the file is large next to the table.

    Building an index once over the finished table is much cheaper than keeping five up to
    date row by row, in no particular order. It happens inside the import's transaction, so
    a cancelled or killed import gets them back with everything else. The e-mail index
    stays: duplicates are looked up in it while the import runs. (Events arrive in lead
    order, so their indexes only ever grow at the end: cheap to keep.)
    """
    leads = driver.execute("SELECT count(*) FROM lead").fetchone()[0]
    if total // _BYTES_PER_ROW <= max(leads, 10_000):
        return []
    aside = [index for index in LEAD.indexes if not index.unique]
    for index in aside:
        index.drop(conn)
    return aside


def _position(stream: BinaryIO, total: int) -> int:
    try:
        return min(stream.tell(), total)
    except OSError:
        return 0


def backup_before_import(db: Database, now: datetime) -> Path:
    """A backup named for this import (a second import in the same second gets "-2")."""
    try:
        return make_backup(DataPaths(db.path.parent), "pre-import", now)
    except StorageError as exc:
        raise StorageError(f"the import did not start: {exc}; nothing was changed") from None


def prune_pre_import_backups(db: Database) -> None:
    """Once an import kept its backup: the oldest pre-import copies go, as daily ones do.

    Not before the import, which may change nothing and drop its own copy again.
    """
    prune_kind(DataPaths(db.path.parent), "pre-import", get_retention(db).keep_daily)


def _storage_problem(exc: sqlite3.Error) -> StorageError:
    text = str(exc)
    if "full" in text:
        reason = "the disk is full"
    elif "readonly" in text or "read-only" in text:
        reason = "the data folder is read-only"
    else:
        reason = text
    return StorageError(
        f"the import stopped ({reason}); nothing was imported, your data is as it was"
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def summary(report: ImportReport, name: str) -> str:
    """One sentence for the CLI and the dialog: what happened, or would on a real run."""
    would = "would be " if report.dry_run else ""
    parts = [f"{_count(report.added, 'lead', 'leads')} {would}added"]
    if report.merged:
        parts.append(f"{_count(report.merged, 'row', 'rows')} {would}merged into existing leads")
    if report.duplicates:
        parts.append(f"{_count(report.duplicates, 'duplicate', 'duplicates')} {would}skipped")
    if report.skipped:
        parts.append(f"{_count(report.skipped, 'row', 'rows')} left out for a problem")
    if report.dry_run:
        return f"Checked {name}, nothing was written: {', '.join(parts)}."
    return f"Imported {name}: {', '.join(parts)}."
