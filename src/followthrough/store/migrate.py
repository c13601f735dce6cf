"""Schema upgrades with Alembic, run at startup, after a backup, with foreign keys off.

Why foreign keys off: Alembic's batch mode rebuilds a table (copy, drop, rename) to change
it on SQLite. With `foreign_keys=ON`, dropping the old `lead` table cascades and silently
deletes every event and alert. So the keys go off for the migration, and
`PRAGMA foreign_key_check` proves afterwards that nothing was left dangling.
"""

from __future__ import annotations

import io
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from followthrough.errors import NewerSchemaError, StorageError
from followthrough.paths import DataPaths
from followthrough.store.backup import backup_database

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions. Knowing it without loading Alembic keeps the
# everyday start (schema already current) fast; a test checks it matches Alembic's head.
SCHEMA_HEAD = "0012"


def alembic_config() -> Config:
    from alembic.config import Config

    # Alembic's default stdout is bound when it is imported; and its messages must never
    # mix into the CLI's JSON output. Keep them in memory.
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships no migrations"
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _stored_revision(path: Path) -> tuple[bool, str | None]:
    """(has any table, alembic revision) read without writing a byte to the file."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                return bool(tables), None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return True, row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise StorageError(
            f"{path} is not a Followthrough database ({exc}); it was left untouched"
        ) from None


def check_openable(path: Path) -> None:
    """Refuse, before anything writes to it, a file we must not touch."""
    if not path.exists() or path.stat().st_size == 0:
        return
    has_tables, revision = _stored_revision(path)
    if revision is None:
        if has_tables:
            raise StorageError(
                f"{path} is an SQLite database but not a Followthrough one; it was left untouched"
            )
        return
    if revision != SCHEMA_HEAD and revision not in known_revisions():
        raise NewerSchemaError(
            f"{path} was written by a newer version of Followthrough (schema {revision}); "
            "update Followthrough to open it. The file was left untouched"
        )


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return schema_revision(conn)


def schema_revision(conn: Connection) -> str | None:
    """The schema revision stored in the database, read in `conn`'s transaction."""
    has_table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if not has_table:
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return str(row[0]) if row else None


def upgrade_to_head(engine: Engine, paths: DataPaths, now: datetime) -> Path | None:
    """Bring the schema to the newest revision; return the backup made first, if any."""
    current = current_revision(engine)
    if current == SCHEMA_HEAD:
        return None
    from alembic import command

    with engine.connect() as conn:
        backup = None
        if current is not None:
            stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            # Two upgrades in one second (two processes starting at once) keep both copies.
            backup = backup_database(
                paths.database,
                paths.backups / f"pre-migration-{current}-{stamp}.sqlite3",
                unique=True,
            )
        raw = conn.connection.driver_connection
        assert raw is not None
        # Outside any transaction, or SQLite ignores it.
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                config = alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    # Raising here rolls the whole upgrade back.
                    raise StorageError(
                        f"upgrading the database would leave {len(dangling)} rows pointing "
                        f"at missing records; nothing was changed (a backup is at {backup})"
                    )
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
    return backup
