"""Schema upgrades with Alembic, run at startup, after a backup, with foreign keys off.

Why foreign keys off: Alembic's batch mode rebuilds a table (copy, drop, rename) to change
it on SQLite. With `foreign_keys=ON`, dropping the old `lead` table cascades and silently
deletes every event and alert. So the keys go off for the migration, and
`PRAGMA foreign_key_check` proves afterwards that nothing was left dangling.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from followthrough.errors import NewerSchemaError, StorageError
from followthrough.paths import DataPaths
from followthrough.store.backup import backup_database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships no migrations"
    return head


def known_revisions() -> set[str]:
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
    if revision not in known_revisions():
        raise NewerSchemaError(
            f"{path} was written by a newer version of Followthrough (schema {revision}); "
            "update Followthrough to open it. The file was left untouched"
        )


def upgrade_to_head(engine: Engine, paths: DataPaths, now: datetime) -> Path | None:
    """Bring the schema to the newest revision; return the backup made first, if any."""
    head = head_revision()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
        if current == head:
            return None
        backup = None
        if current is not None:
            stamp = now.strftime("%Y%m%dT%H%M%SZ")
            backup = backup_database(
                paths.database, paths.backups / f"pre-migration-{current}-{stamp}.sqlite3"
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
