"""Importing leads from a CSV file: checked row by row, written in one transaction.

The file is streamed a batch at a time (constant memory whatever its size) and every batch
is written inside the same transaction, so a cancelled, failed or killed import leaves
nothing behind, and a dry run is the same import rolled back: it reports exactly what the
real one would.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, cast

from sqlalchemy import Index
from sqlmodel import Session

from followthrough.domain.csvcolumns import map_columns
from followthrough.domain.csvread import CsvRow, lead_fields, read_rows
from followthrough.domain.csvsniff import CsvFormat
from followthrough.domain.importrows import ImportedLead, RowProblem, imported_lead, problem_of
from followthrough.errors import FollowthroughError, InvalidData, StorageError
from followthrough.services.backups import data_paths_of, get_retention, make_backup, prune_kind
from followthrough.services.clock import utcnow
from followthrough.services.csvimport.preview import check_mapping, format_of, open_csv
from followthrough.services.csvimport.report import ImportReport, ImportTally
from followthrough.services.csvimport.writer import BatchWriter, Duplicates
from followthrough.services.planning import replan_leads
from followthrough.services.policy import load_policy
from followthrough.store.db import Database, sqlite_failure
from followthrough.store.lead_import import ImportStatements, create_indexes, drop_lead_indexes

BATCH = 2000
# Bytes per row in a typical contacts file: enough to guess a file's size in rows.
_BYTES_PER_ROW = 120

Progress = Callable[[int, int], None]


class ImportCancelled(FollowthroughError):
    """The user stopped the import; nothing of it was written."""

    exit_code = 130


@dataclass(frozen=True)
class _Job:
    """What one import was asked to do, fixed before its transaction begins."""

    fmt: CsvFormat
    mapping: dict[str, int]
    on_duplicate: Duplicates
    dry_run: bool
    now: datetime
    source: str  # what the new leads' `source` says: the file they came from
    size: int  # the file's bytes, the scale progress is told on
    progress: Progress | None
    cancelled: Callable[[], bool] | None


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
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import the leads in a CSV file; all of them or, if anything stops it, none."""
    now = now or utcnow()
    tally = ImportTally()
    with open_csv(path) as stream:
        fmt = format_of(stream)
        columns = list(fmt.columns)
        mapping = dict(mapping) if mapping is not None else map_columns(columns)
        check_mapping(mapping, columns)
        job = _Job(fmt, mapping, on_duplicate, dry_run, now, f"import {path.name}"[:300],
                   path.stat().st_size, progress, cancelled)  # fmt: skip
        backup = None if dry_run else backup_before_import(db, now)
        try:
            _write_all(db, job, stream, tally)
        except BaseException:
            if backup is not None:
                # Nothing of the import was written: the copy is the database as it still is.
                backup.unlink(missing_ok=True)
            raise
    if backup is not None and not tally.changed:
        backup.unlink(missing_ok=True)  # nothing changed: nothing to go back to
        backup = None
    if backup is not None:
        prune_pre_import_backups(db)
    if progress is not None:
        progress(job.size, job.size)
    return tally.report(dry_run=dry_run, backup=backup)


def _write_all(db: Database, job: _Job, stream: BinaryIO, tally: ImportTally) -> None:
    """The import's one transaction: every batch written, then committed (or rolled back)."""
    try:
        with db.write() as session:
            sql = ImportStatements(session)
            policy = load_policy(session)
            writer = BatchWriter(sql, job.on_duplicate, job.now, job.source, policy, tally)
            rebuilt = _set_indexes_aside(session, sql, job.size)
            with closing(cast(Generator[CsvRow], read_rows(stream, job.fmt))) as rows:
                for batch in _checked_batches(rows, job, tally):
                    if job.cancelled is not None and job.cancelled():
                        raise ImportCancelled("Import cancelled: nothing was changed.")
                    touched = writer.write(batch)
                    replan_leads(session.connection(), touched, job.now, policy)
                    if job.progress is not None:
                        job.progress(_position(stream, job.size), job.size)
            create_indexes(session, rebuilt)
            if job.dry_run:
                raise _RollBack
    except _RollBack:
        pass
    except Exception as exc:
        failure = sqlite_failure(exc)
        if failure is None:
            raise
        raise _storage_problem(failure) from None


def _checked_batches(
    rows: Iterator[CsvRow], job: _Job, tally: ImportTally
) -> Iterator[list[ImportedLead]]:
    """Checked leads, BATCH at a time; a row that fails a check is counted and left out."""
    width = len(job.fmt.columns)
    needed = max(job.mapping.values(), default=-1) + 1
    batch: list[ImportedLead] = []
    for row in rows:
        tally.rows += 1
        if len(row.cells) > width or len(row.cells) < needed:
            message = f"the row has {len(row.cells)} cells where the header has {width}"
            tally.skip(RowProblem(row.line, None, message))
            continue
        try:
            batch.append(imported_lead(lead_fields(row, job.mapping), row.line, job.now))
        except InvalidData as error:
            tally.skip(problem_of(error, row.line))
            continue
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _set_indexes_aside(session: Session, sql: ImportStatements, size: int) -> list[Index]:
    """Drop the lead table's secondary indexes when the file is large next to the table.

    Building an index once over the finished table is much cheaper than keeping five up to
    date row by row, in no particular order. It happens inside the import's transaction, so
    a cancelled or killed import gets them back with everything else. The e-mail index
    stays: duplicates are looked up in it while the import runs. (Events arrive in lead
    order, so their indexes only ever grow at the end: cheap to keep.)
    """
    if size // _BYTES_PER_ROW <= max(sql.lead_count(), 10_000):
        return []
    return drop_lead_indexes(session)


def _position(stream: BinaryIO, size: int) -> int:
    try:
        return min(stream.tell(), size)
    except OSError:
        return 0


def backup_before_import(db: Database, now: datetime) -> Path:
    """A backup named for this import (a second import in the same second gets "-2")."""
    try:
        return make_backup(data_paths_of(db), "pre-import", now)
    except StorageError as exc:
        raise StorageError(f"the import did not start: {exc}; nothing was changed") from None


def prune_pre_import_backups(db: Database) -> None:
    """Once an import kept its backup: the oldest pre-import copies go, as daily ones do.

    Not before the import, which may change nothing and drop its own copy again.
    """
    prune_kind(data_paths_of(db), "pre-import", get_retention(db).keep_daily)


def _storage_problem(text: str) -> StorageError:
    if "full" in text:
        reason = "the disk is full"
    elif "readonly" in text or "read-only" in text:
        reason = "the data folder is read-only"
    else:
        reason = text
    return StorageError(
        f"the import stopped ({reason}); nothing was imported, your data is as it was"
    )
