"""Backups of the whole database: made on demand and daily, listed, checked, restored.

Copies are made with SQLite's online backup API, so they are consistent while the app runs.
A restore checks the file first (integrity, a schema this version knows), saves what it is
about to replace, and only then copies the backup in, page by page, through SQLite itself.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from followthrough.errors import InvalidData, NotFound, StorageError
from followthrough.paths import DataPaths
from followthrough.services.clock import utcnow
from followthrough.store.backup import backup_database
from followthrough.store.migrate import check_openable

SUFFIX = ".sqlite3"
KEEP_DAILY = 7
KEEP_WEEKLY = 4


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # daily, weekly, manual, pre-restore, pre-migration...
    made_at: datetime  # UTC, from the name (the moment the copy was made)
    size: int  # bytes


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _parse(path: Path) -> BackupInfo | None:
    """Our backups are named `<kind>-...-<YYYYmmddTHHMMSSZ>.sqlite3`; others are ignored."""
    if path.suffix != SUFFIX or not path.is_file():
        return None
    kind, _, rest = path.stem.partition("-")
    stamp = rest.rsplit("-", 1)[-1] if rest else ""
    try:
        made = datetime.strptime(stamp + "+0000", "%Y%m%dT%H%M%SZ%z")
    except ValueError:
        return None
    if kind == "pre":  # pre-restore-..., pre-migration-0003-...
        kind = "pre-" + rest.split("-", 1)[0]
    return BackupInfo(path, kind, made, path.stat().st_size)


def list_backups(paths: DataPaths) -> list[BackupInfo]:
    """Every backup in the data folder, newest first."""
    if not paths.backups.is_dir():
        return []
    found = [info for p in paths.backups.iterdir() if (info := _parse(p)) is not None]
    return sorted(found, key=lambda info: (info.made_at, info.path.name), reverse=True)


def make_backup(
    paths: DataPaths, kind: str = "manual", now: datetime | None = None, output: Path | None = None
) -> Path:
    """A consistent copy of the database, in `backups/` or at `output` (never overwritten)."""
    now = now or utcnow()
    if not paths.database.exists():
        raise NotFound(f"there is no database in {paths.root} to back up yet")
    target = output or paths.backups / f"{kind}-{_stamp(now)}{SUFFIX}"
    if target.exists():
        raise InvalidData(f"{target} already exists; choose another file name", "output")
    if output is not None and not output.parent.is_dir():
        raise InvalidData(f"the folder {output.parent} does not exist", "output")
    try:
        return backup_database(paths.database, target)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"could not write the backup {target}: {exc}") from None


def daily_backup(
    paths: DataPaths,
    now: datetime | None = None,
    keep_daily: int = KEEP_DAILY,
    keep_weekly: int = KEEP_WEEKLY,
) -> Path | None:
    """On the first start of a (local) day, a daily copy; one a week is kept as weekly.

    Returns the new backup, or None when today already has one. Old ones are pruned:
    the newest `keep_daily` daily and `keep_weekly` weekly copies stay.
    """
    now = now or utcnow()
    if not paths.database.exists():
        return None
    existing = list_backups(paths)
    today = now.astimezone().date()
    made: Path | None = None
    if not any(b.kind == "daily" and b.made_at.astimezone().date() == today for b in existing):
        made = make_backup(paths, "daily", now)
        week = today.isocalendar()[:2]
        weekly = [b for b in existing if b.kind == "weekly"]
        if not any(b.made_at.astimezone().date().isocalendar()[:2] == week for b in weekly):
            make_backup(paths, "weekly", now)
    _prune(paths, "daily", keep_daily)
    _prune(paths, "weekly", keep_weekly)
    return made


def _prune(paths: DataPaths, kind: str, keep: int) -> None:
    for old in [b for b in list_backups(paths) if b.kind == kind][max(keep, 1) :]:
        old.path.unlink(missing_ok=True)


def check_backup(path: Path) -> str:
    """Is this a whole Followthrough database this version can open? Its schema revision."""
    if not path.is_file():
        raise NotFound(f"no backup file {path}")
    check_openable(path)  # refuses other SQLite files and newer schemas, by name
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        raise StorageError(
            f"{path} cannot be read as a database ({exc}); nothing was changed"
        ) from None
    if verdict != "ok":
        raise StorageError(f"{path} is damaged ({verdict}); nothing was changed")
    if revision is None:
        raise StorageError(f"{path} is not a Followthrough database; nothing was changed")
    return str(revision[0])


def restore_backup(paths: DataPaths, source: Path, now: datetime | None = None) -> Path | None:
    """Replace the database with `source`, after checking it and backing up the current one.

    Returns the backup of what was replaced (None when there was no database yet). The
    schema is brought up to date the next time the database is opened, as for any upgrade.
    """
    now = now or utcnow()
    check_backup(source)
    saved = _save_current(paths, now) if paths.database.exists() else None
    if not paths.database.exists():
        os.close(os.open(paths.database, os.O_CREAT | os.O_WRONLY, 0o600))  # private from birth
    try:
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(paths.database)) as dst,
        ):
            src.backup(dst)  # page by page, under SQLite's own locks: readers never see half
    except sqlite3.Error as exc:
        raise StorageError(
            f"the restore did not complete ({exc}); the previous data is saved at {saved}"
        ) from None
    return saved


def _save_current(paths: DataPaths, now: datetime) -> Path:
    """Keep what a restore replaces: a copy, or, when it is too damaged to copy, the file."""
    try:
        return make_backup(paths, "pre-restore", now)
    except StorageError:
        # Unreadable as a database: set the bytes aside untouched and restore into a new file.
        kept = paths.backups / f"pre-restore-damaged-{_stamp(now)}{SUFFIX}"
        paths.backups.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(paths.database, kept)
        for suffix in ("-wal", "-shm"):
            side = paths.database.with_name(paths.database.name + suffix)
            if side.exists():
                os.replace(side, kept.with_name(kept.name + suffix))
        return kept
