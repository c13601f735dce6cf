"""The engine, its pragmas, and the unit-of-work sessions services use."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from followthrough.errors import StorageError
from followthrough.paths import DataPaths
from followthrough.store.migrate import check_openable, upgrade_to_head
from followthrough.store.safefiles import create_private_file

BUSY_TIMEOUT_MS = 5000
_IMMEDIATE = "followthrough_immediate"


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _begin below):
    # pysqlite's implicit BEGIN skips DDL, which would make migrations non-atomic.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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
            upgrade_to_head(engine, paths, now or datetime.now(UTC))
        except BaseException:
            engine.dispose()
            raise
        return cls(paths.database, engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def driver_connection(session: Session) -> sqlite3.Connection:
    """SQLite's own connection under a session, inside the session's transaction.

    For the reads that must also run before SQLAlchemy is imported (services/board_rows.py).
    """
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw
