"""Carrying out what was parsed: the app, or a command on the data folder it opens.

A command's arguments are checked before the folder is touched; a reading command still
works where nothing can be written; a write (or a checked read) is preceded by a health
check, so damage is told as damage with the way back, never written over.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from followthrough.cli.command import UsesDatabase, UsesFolder
from followthrough.errors import StorageError, UsageError
from followthrough.paths import DATABASE_NAME, DataPaths
from followthrough.store.faults import disk_full, is_damage, is_disk_full, storage_fault
from followthrough.store.health import known_good, remember_good


def run(args: argparse.Namespace) -> int:
    handler = args.handler
    if handler is None:
        return _open_app(args)
    now = datetime.now(UTC)
    if isinstance(handler, UsesFolder):
        paths = _open_folder(args.data_dir, handler.only_reads(args))
        # Backups work on the file itself: a damaged database must still be restorable.
        try:
            return handler.run(paths, args, now)
        except Exception as exc:
            raise storage_fault(exc, paths.root) or exc from None
    assert isinstance(handler, UsesDatabase)
    # Check what was typed before touching the data folder: bad input writes nothing.
    carry_out = handler.prepared(args, now)
    reading = handler.only_reads(args)
    paths = _open_folder(args.data_dir, reading)
    from followthrough.store.db import Database

    command = "followthrough"  # as the person calls it for this folder, in restore hints
    if args.data_dir:
        import shlex

        command += f" --data-dir {shlex.quote(str(paths.root))}"
    try:
        db = Database.open(paths, now)
    except Exception as exc:
        from followthrough.errors import NewerSchemaError
        from followthrough.services.integrity import damaged_message, quick_check

        reason = None if isinstance(exc, NewerSchemaError) else quick_check(paths.database)
        if reason is not None:
            raise StorageError(damaged_message(paths, reason, command)) from None
        if isinstance(exc, NewerSchemaError) or not (reading or is_disk_full(exc)):
            raise
        if not reading:
            raise disk_full(paths.root) from None
        # Read-only folder or full disk: a reading command reads without writing a byte.
        db = Database.open_for_reading(paths)
    guard = HealthGuard(paths, command)
    db.before_first_write = guard.check
    if handler.checked:
        guard.check()
    try:
        code = carry_out(db)
    except Exception as exc:
        _explain_damage(exc, guard)
        raise storage_fault(exc, paths.root) or exc from None
    finally:
        db.close()
    if code == 0 and (db.wrote or guard.checked):
        remember_good(paths.database)  # after close: the WAL is folded in by then
    return code


def _open_app(args: argparse.Namespace) -> int:
    # Qt first, the database layer after the window's first paint.
    from followthrough.paths import prepare_data_dir, resolve_data_dir
    from followthrough.ui.app import run_gui

    if args.screenshot and not args.smoke:
        raise UsageError("--screenshot goes with --smoke")
    root = resolve_data_dir(args.data_dir, os.environ)
    refuse_replicated(root)
    paths = prepare_data_dir(root)
    return run_gui(paths, args.smoke, screenshot=args.screenshot, tray=args.tray)


def refuse_replicated(root: Path) -> None:
    """A data folder that Dropbox, Syncthing or the like replicates is refused, with why."""
    from followthrough.services.sync.syncroots_config import refuse_replicated_data_folder

    refuse_replicated_data_folder(root)


def _open_folder(data_dir: str | None, reading: bool) -> DataPaths:
    """The data folder, made ready; for a reading command, also one nobody may write to."""
    from followthrough.paths import prepare_data_dir, resolve_data_dir

    root: Path = resolve_data_dir(data_dir, os.environ)
    refuse_replicated(root)
    try:
        return prepare_data_dir(root)
    except StorageError:
        if not (reading and (root / DATABASE_NAME).is_file()):
            raise
        return DataPaths(root)  # a folder nobody may write to: its data can still be read


def _explain_damage(exc: Exception, guard: HealthGuard) -> None:
    """A read that ran into a damaged page ("database disk image is malformed") is told as
    damage, with the way back, like a write the health check stopped."""
    if is_damage(exc):
        guard.checked = False
        guard.check()  # raises the damaged message when the quick check agrees


class HealthGuard:
    """The health check a command runs before its first write (or an export): a quick check,
    skipped when the file is exactly as it was last found whole (store/health.py)."""

    def __init__(self, paths: DataPaths, command: str) -> None:
        self.paths = paths
        self.command = command
        self.checked = False

    def check(self) -> None:
        if self.checked or known_good(self.paths.database):
            return
        from followthrough.services.integrity import damaged_message, quick_check

        reason = quick_check(self.paths.database)
        if reason is not None:
            raise StorageError(damaged_message(self.paths, reason, self.command))
        self.checked = True
