"""Backups of the whole database: made on demand and daily, listed, checked, restored.

Copies are made with SQLite's online backup API, so they are consistent while the app runs,
checked before they are named, and never take the name of another (a second copy in the
same second is `<kind>-<stamp>-2.sqlite3`).
A restore checks the file first (integrity, a schema this version knows), saves what it is
about to replace, and only then copies the backup in, page by page, through SQLite itself.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from followthrough.errors import InvalidData, NotFound, StorageError
from followthrough.paths import DataPaths
from followthrough.services.clock import utcnow
from followthrough.services.setting_rows import put_setting
from followthrough.store.backup import backup_database
from followthrough.store.db import Database
from followthrough.store.migrate import check_openable, upgrade_to_head
from followthrough.store.models import Setting
from followthrough.store.safefiles import (
    create_private_file,
    make_private_dir,
    move_unique,
    remove_orphans,
)

SUFFIX = ".sqlite3"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
RETENTION_KEY = "backups"
DAILY_RANGE = (1, 60)  # at least one: the copy made today is never pruned at once
WEEKLY_RANGE = (0, 52)
# Copies made on the way into an import or a schema upgrade pile up with use, so each kind
# keeps as many as the daily copies (the count chosen in Settings). Manual and pre-restore
# copies are never pruned: the person asked for the one, and the other may be the only way
# back from restoring the wrong file (or the set-aside bytes of a damaged database).
PRUNED_LIKE_DAILY = ("pre-import", "pre-migration")


@dataclass(frozen=True)
class Retention:
    """How many daily and weekly copies the daily backup keeps."""

    keep_daily: int = KEEP_DAILY
    keep_weekly: int = KEEP_WEEKLY


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # daily, weekly, manual, pre-restore, pre-migration...
    made_at: datetime  # UTC, from the name (the moment the copy was made)
    size: int  # bytes


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _words(path: Path) -> tuple[list[str], int]:
    """The name's words without the trailing `-2`, `-3`... of a copy made the same second."""
    words = path.stem.split("-")
    if len(words) > 2 and words[-1].isdigit():
        return words[:-1], int(words[-1])
    return words, 1


def _parse(path: Path) -> BackupInfo | None:
    """Our backups are named `<kind>-...-<YYYYmmddTHHMMSSZ>[-n].sqlite3`; others are ignored.

    A symlink is never one of ours, and listing it would offer to restore whatever it names.
    """
    if path.suffix != SUFFIX or path.is_symlink() or not path.is_file():
        return None
    words, _ = _words(path)
    try:
        made = datetime.strptime(words[-1] + "+0000", "%Y%m%dT%H%M%SZ%z")
    except ValueError:
        return None
    kind = words[0]
    if kind == "pre" and len(words) > 2:  # pre-restore-..., pre-migration-0003-...
        kind = "pre-" + words[1]
    return BackupInfo(path, kind, made, path.stat().st_size)


def list_backups(paths: DataPaths) -> list[BackupInfo]:
    """Every backup in the data folder, newest first (`x-2` after `x` of the same second)."""
    if not paths.backups.is_dir():
        return []
    found = [info for p in paths.backups.iterdir() if (info := _parse(p)) is not None]
    return sorted(
        found, key=lambda info: (info.made_at, _words(info.path)[1], info.path.name), reverse=True
    )


@dataclass(frozen=True)
class BackupShelf:
    """An open database's backups, and the folder to show for them."""

    folder: Path  # the backups folder once a backup was made; until then the data folder
    backups: list[BackupInfo]  # newest first


def data_paths_of(db: Database) -> DataPaths:
    """The data folder an open database lives in: its backups sit beside it."""
    return DataPaths(db.path.parent)


def backup_shelf(db: Database) -> BackupShelf:
    paths = data_paths_of(db)
    folder = paths.backups if paths.backups.is_dir() else paths.root
    return BackupShelf(folder, list_backups(paths))


def make_manual_backup(db: Database, now: datetime | None = None) -> Path:
    """A copy of the open database, asked for by the person (never pruned)."""
    return make_backup(data_paths_of(db), "manual", now)


def remove_unfinished(paths: DataPaths, output: Path | None = None) -> str | None:
    """Delete the temporary copies a killed backup left behind; a sentence saying so, if any.

    They are never listed as backups; this only gives their space back. With `output`, the
    leftovers of an earlier copy to that same file are looked for beside it.
    """
    if output is None:
        removed = remove_orphans(paths.backups)
    else:
        removed = remove_orphans(output.parent, output.name)
    if not removed:
        return None
    what = "copy" if len(removed) == 1 else "copies"
    names = ", ".join(path.name for path in removed)
    return f"removed {len(removed)} unfinished backup {what} left by an interrupted run ({names})"


def make_backup(
    paths: DataPaths, kind: str = "manual", now: datetime | None = None, output: Path | None = None
) -> Path:
    """A checked copy of the database, in `backups/` or at `output` (never overwritten).

    In `backups/`, a name already taken (two copies in one second) gets `-2`, `-3`...
    """
    now = now or utcnow()
    if not paths.database.exists():
        raise NotFound(f"there is no database in {paths.root} to back up yet")
    target = output or paths.backups / f"{kind}-{_stamp(now)}{SUFFIX}"
    if output is not None:
        if os.path.lexists(output):
            raise InvalidData(f"{output} already exists; choose another file name", "output")
        if not output.parent.is_dir():
            raise InvalidData(f"the folder {output.parent} does not exist", "output")
    try:
        return backup_database(paths.database, target, unique=output is None)
    except FileExistsError:  # made meanwhile by someone else: still never overwritten
        raise InvalidData(f"{target} already exists; choose another file name", "output") from None
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"could not write the backup {target}: {_reason(exc)}") from None


def _reason(exc: OSError | sqlite3.Error) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)


def daily_backup(
    paths: DataPaths,
    now: datetime | None = None,
    keep_daily: int = KEEP_DAILY,
    keep_weekly: int = KEEP_WEEKLY,
) -> Path | None:
    """On the first start of a (local) day, a daily copy; one a week is kept as weekly.

    Returns the new backup, or None when today already has one. Old ones are pruned:
    the newest `keep_daily` daily and `keep_weekly` weekly copies stay, and as many of each
    kind in PRUNED_LIKE_DAILY as daily ones. Copies a killed backup left half-made go too.
    """
    now = now or utcnow()
    if not paths.database.exists():
        return None
    remove_orphans(paths.backups)
    existing = list_backups(paths)
    today = now.astimezone().date()
    made: Path | None = None
    if not any(b.kind == "daily" and b.made_at.astimezone().date() == today for b in existing):
        made = make_backup(paths, "daily", now)
        week = today.isocalendar()[:2]
        weekly = [b for b in existing if b.kind == "weekly"]
        if keep_weekly > 0 and not any(
            b.made_at.astimezone().date().isocalendar()[:2] == week for b in weekly
        ):
            make_backup(paths, "weekly", now)
    _prune(paths, "daily", max(keep_daily, 1))
    _prune(paths, "weekly", max(keep_weekly, 0))
    for kind in PRUNED_LIKE_DAILY:
        _prune(paths, kind, max(keep_daily, 1))
    return made


def prune_kind(paths: DataPaths, kind: str, keep_daily: int) -> None:
    """Keep the newest copies of `kind` (one of PRUNED_LIKE_DAILY), as many as daily ones."""
    _prune(paths, kind, max(keep_daily, 1))


def _prune(paths: DataPaths, kind: str, keep: int) -> None:
    for old in [b for b in list_backups(paths) if b.kind == kind][keep:]:
        old.path.unlink(missing_ok=True)


def get_retention(db: Database) -> Retention:
    """The counts chosen in Settings; the defaults when none were chosen or the row is unusable."""
    with db.read() as session:
        row = session.get(Setting, RETENTION_KEY)
        value = row.value if row is not None else None
    try:
        return _retention(value)
    except InvalidData:
        # A value edited by hand into nonsense must not stop the daily backup.
        return Retention()


def set_retention(
    db: Database, keep_daily: int, keep_weekly: int, now: datetime | None = None
) -> Retention:
    """Keep this many daily and weekly copies from the next daily backup on."""
    now = now or utcnow()
    retention = _retention({"keep_daily": keep_daily, "keep_weekly": keep_weekly})
    value = {"keep_daily": retention.keep_daily, "keep_weekly": retention.keep_weekly}
    with db.write() as session:
        put_setting(session, RETENTION_KEY, value, now)
    return retention


def _retention(value: object) -> Retention:
    if value is None:
        return Retention()
    if not isinstance(value, dict):
        raise InvalidData("the backup counts must be two numbers", "keep_daily")
    counts = {"keep_daily": KEEP_DAILY, "keep_weekly": KEEP_WEEKLY, **value}
    for name, (low, high), what in (
        ("keep_daily", DAILY_RANGE, "daily"),
        ("keep_weekly", WEEKLY_RANGE, "weekly"),
    ):
        count = counts[name]
        if isinstance(count, bool) or not isinstance(count, int) or not low <= count <= high:
            raise InvalidData(f"keep between {low} and {high} {what} backups", name)
    return Retention(counts["keep_daily"], counts["keep_weekly"])


def check_backup(path: Path) -> str:
    """Is this a whole Followthrough database this version can open? Its schema revision."""
    if not path.is_file():
        raise NotFound(f"no backup file {path}")
    with _no_side_files_left(path):
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


@contextmanager
def _no_side_files_left(path: Path) -> Iterator[None]:
    """Reading a WAL-mode copy read-only makes SQLite create -wal and -shm files beside it.

    Checking a backup (often several, at startup) must leave the backups folder as it was:
    side files that were not there before and hold nothing are removed afterwards.
    """
    sides = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    existed = {side for side in sides if side.exists()}
    try:
        yield
    finally:
        wal = sides[0]
        if wal not in existed and (not wal.exists() or wal.stat().st_size == 0):
            for side in sides:
                if side not in existed:
                    side.unlink(missing_ok=True)


def restore_backup(paths: DataPaths, source: Path, now: datetime | None = None) -> Path | None:
    """Replace the database with `source`, after checking it and backing up the current one.

    Returns the backup of what was replaced (None when there was no database yet). The
    schema is brought up to date the next time the database is opened, as for any upgrade.
    """
    now = now or utcnow()
    check_backup(source)
    saved = _save_current(paths, now) if paths.database.exists() else None
    if not paths.database.exists():
        os.close(create_private_file(paths.database))  # private from birth
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


def restore_into_open(db: Database, source: Path, now: datetime | None = None) -> Path | None:
    """Restore while the app has the database open, and bring an older schema up to date.

    The copy goes through SQLite under its locks, so the open engine reads the restored
    data on its next transaction; only the schema needs the upgrade a start would do.
    """
    now = now or utcnow()
    paths = data_paths_of(db)
    saved = restore_backup(paths, source, now)
    upgrade_to_head(db.engine, paths, now)
    return saved


def _save_current(paths: DataPaths, now: datetime) -> Path:
    """Keep what a restore replaces: a copy, or, when it is too damaged to copy, the file."""
    try:
        return make_backup(paths, "pre-restore", now)
    except StorageError:
        # Unreadable as a database: set the bytes aside untouched and restore into a new file.
        # Never over another set-aside file: a second in the same second is `...-2`.
        make_private_dir(paths.backups)
        kept = move_unique(
            paths.database, paths.backups / f"pre-restore-damaged-{_stamp(now)}{SUFFIX}"
        )
        for suffix in ("-wal", "-shm"):
            side = paths.database.with_name(paths.database.name + suffix)
            if side.exists():
                os.replace(side, kept.with_name(kept.name + suffix))
        return kept
