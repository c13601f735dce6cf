"""A health report of the data: where it lives, its schema, integrity, backups, keyring."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass

from followthrough.paths import DataPaths
from followthrough.services.backups import list_backups
from followthrough.store.migrate import SCHEMA_HEAD


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(paths: DataPaths) -> list[Check]:
    """Every check runs read-only, so a damaged database is described, never touched."""
    return [
        Check("data folder", paths.root.is_dir(), str(paths.root)),
        *_database(paths),
        _backups(paths),
        _keyring(),
    ]


def _database(paths: DataPaths) -> list[Check]:
    if not paths.database.exists():
        return [Check("database", True, "none yet: it is created on the first start")]
    uri = f"{paths.database.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        return [Check("database", False, f"{paths.database} cannot be read ({exc})")]
    version = str(revision[0]) if revision else "none"
    return [
        Check("database", True, str(paths.database)),
        Check(
            "schema",
            version == SCHEMA_HEAD,
            f"version {version}"
            + ("" if version == SCHEMA_HEAD else f" (this app: {SCHEMA_HEAD})"),
        ),
        Check("integrity", verdict == "ok", verdict),
    ]


def _backups(paths: DataPaths) -> Check:
    found = list_backups(paths)
    if not found:
        return Check("backups", True, "none yet: the app keeps one each day it is opened")
    newest = found[0]
    return Check(
        "backups", True, f"{len(found)}, newest {newest.made_at:%Y-%m-%d %H:%M} UTC ({newest.kind})"
    )


def _keyring() -> Check:
    """Passwords are kept only in the OS keyring; the mail commands judge it the same way."""
    from followthrough.services.secrets import backend_name, keyring_problem

    problem = keyring_problem()
    if problem is not None:
        # Not a fault in the data: only features that keep a password stay off without one.
        return Check("keyring", True, f"{problem} ({backend_name()}): mail checking stays off")
    return Check("keyring", True, backend_name())
