"""The engine, its pragmas, and the unit-of-work sessions services use."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from followthrough.errors import DatabaseBusy, StorageError
from followthrough.paths import DataPaths
from followthrough.store.board_reads import BoardReader
from followthrough.store.migrate import (
    SCHEMA_HEAD,
    check_openable,
    current_revision,
    upgrade_to_head,
)
from followthrough.store.safefiles import create_private_file

# How long a connection waits for another writer before SQLite says "database is locked".
# Read each time a connection opens, so a test can shorten it (and dispose the engine).
BUSY_TIMEOUT_MS = 5000
_IMMEDIATE = "followthrough_immediate"

BUSY = (
    "the database is busy: another Followthrough (or a command) is writing; try again in a moment"
)
# SQLite's primary result codes for a lock held elsewhere: SQLITE_BUSY and SQLITE_LOCKED.
_LOCK_CODES = (5, 6)


def busy_error(exc: BaseException) -> DatabaseBusy | None:
    """The app's own error for SQLite's "database is locked", or None for anything else.

    The one place that recognises it, whether it comes from SQLAlchemy or from SQLite's own
    connection (the sessions below, and the CLI's last resort, use it).
    """
    cause = exc.orig if isinstance(exc, OperationalError) else exc
    if not isinstance(cause, sqlite3.OperationalError):
        return None
    code = getattr(cause, "sqlite_errorcode", None)
    locked = code is not None and code & 0xFF in _LOCK_CODES
    if locked or "locked" in str(cause):
        return DatabaseBusy(BUSY)
    return None


def sqlite_failure(exc: BaseException) -> str | None:
    """What SQLite said when it could not go on ("database or disk is full", "attempt to
    write a readonly database"), from its own connection or wrapped by SQLAlchemy; None
    when `exc` is not such a failure. Lets a service word it without importing the driver.
    """
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc)
    if isinstance(exc, OperationalError) and isinstance(exc.orig, sqlite3.Error):
        return str(exc.orig)
    return None


@contextmanager
def _lock_errors_said_plainly() -> Iterator[None]:
    """A lock held past the busy timeout becomes DatabaseBusy: one sentence, exit code 5.

    Raised from None: the SQL statement in SQLAlchemy's message (which may quote the data)
    stays out of what the person sees.
    """
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:
        busy = busy_error(exc)
        if busy is None:
            raise
        raise busy from None


CACHE_KIB = 32 * 1024


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _begin below):
    # pysqlite's implicit BEGIN skips DDL, which would make migrations non-atomic.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # SQLite's default page cache is 2 MB: a report over a large pipeline re-reads the
    # same lead and index pages from the OS for every case. A ceiling, not an allocation.
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def _begin(conn: Any) -> None:
    # Writers take the write lock up front. A deferred transaction that later tries to
    # write fails at once with "database is locked" if another process (the CLI while the
    # app runs) wrote in between; busy_timeout cannot help in that case.
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin)
    return engine


def _ensure_private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would honour the umask).

    A new file is never made through a symlink planted at its name. One that exists (or a
    symlink the user made to their own file) is only tightened to 0600.
    """
    if not os.path.lexists(path):
        try:
            os.close(create_private_file(path))
            return
        except FileExistsError:
            pass  # created meanwhile (another process opening the same folder)
    os.chmod(path, 0o600)


class Database:
    """One SQLite file, migrated to the current schema, with read and write sessions."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._writer = engine.execution_options(**{_IMMEDIATE: True})
        # Run once, before the first write (the CLI's health check: store/health.py).
        self.before_first_write: Callable[[], None] | None = None
        self.wrote = False

    @classmethod
    def open(cls, paths: DataPaths, now: datetime | None = None) -> Database:
        """Open (creating or upgrading) the database in a prepared data folder.

        A file that is not ours, or was written by a newer version, raises a StorageError
        before anything touches it.
        """
        check_openable(paths.database)
        try:
            _ensure_private_file(paths.database)
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            raise StorageError(
                f"the database {paths.database} cannot be written: {reason}"
            ) from None
        engine = create_sqlite_engine(paths.database)
        try:
            with _lock_errors_said_plainly():
                upgrade_to_head(engine, paths, now or datetime.now(UTC))
        except BaseException:
            engine.dispose()
            raise
        return cls(paths.database, engine)

    @classmethod
    def open_for_reading(cls, paths: DataPaths) -> Database:
        """Open without writing a byte, for commands that only read, where the folder cannot
        be written (read-only, or its disk full): the person can still see and export
        their data. Writing through it fails ("readonly database")."""
        path = paths.database
        check_openable(path)
        if not path.exists():
            raise StorageError(f"there is no database in {paths.root} yet")
        wal = path.with_name(path.name + "-wal")
        shm = path.with_name(path.name + "-shm")
        # With a WAL beside it, read it the usual way (its index is needed); without one
        # every committed page is in the file, and `immutable` needs no index file at all.
        uri = f"{path.resolve().as_uri()}?mode=ro"
        if not (wal.exists() and shm.exists()):
            uri += "&immutable=1"

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA query_only=ON")
            return conn

        engine = create_engine("sqlite://", creator=connect)
        event.listen(engine, "begin", _begin)
        if current_revision(engine) != SCHEMA_HEAD:
            engine.dispose()
            raise StorageError(
                f"the database in {paths.root} needs an upgrade first, which needs a "
                "writable data folder with free space"
            )
        return cls(path, engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        Another writer holding the database past BUSY_TIMEOUT_MS raises DatabaseBusy.
        """
        if self.before_first_write is not None:
            check, self.before_first_write = self.before_first_write, None
            check()
        with (
            _lock_errors_said_plainly(),
            Session(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session
        self.wrote = True

    @contextmanager
    def read(self) -> Iterator[Session]:
        # WAL readers rarely wait, but can (a checkpoint, a recovery): said the same way.
        with _lock_errors_said_plainly(), Session(self.engine) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def board_reader(session: Session) -> BoardReader:
    """The board's plain-SQL reads (store/board_reads.py), in the session's transaction."""
    return BoardReader(driver_connection(session))


def driver_connection(session: Session) -> sqlite3.Connection:
    """SQLite's own connection under a session, inside the session's transaction.

    For the reads that must also run before SQLAlchemy is imported (store/board_reads.py).
    Only store/ reaches the driver: services call the typed functions built on it.
    """
    return driver_of(session.connection())


def driver_of(conn: Connection) -> sqlite3.Connection:
    """SQLite's own connection under a SQLAlchemy connection, in the same transaction."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw
