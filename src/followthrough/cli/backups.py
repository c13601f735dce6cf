"""The commands over the data folder's files: backup, backups, restore, doctor.

They take the folder, not the database: a damaged database must still be restorable.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from followthrough.cli import output
from followthrough.cli.command import UsesFolder, add_command
from followthrough.cli.termsafe import print_error

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.paths import DataPaths


def run_backup(paths: DataPaths, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services.backups import make_backup, remove_unfinished

    output_file = Path(args.output).expanduser() if args.output else None
    # Leftovers of a killed backup go first (their space may be what this copy needs), and
    # are told of once this copy is made: a failure says one thing only, the failure.
    removed = remove_unfinished(paths, output_file)
    made = make_backup(paths, "manual", now, output_file)
    code = output.say(args, {"path": str(made)}, f"Saved a backup: {made}")
    if removed:
        print_error(f"followthrough: {removed}")
    return code


def run_backups(paths: DataPaths, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services.backups import list_backups

    found = list_backups(paths)
    data = [
        {
            "path": str(b.path),
            "kind": b.kind,
            "made_at": output.iso_local(b.made_at),
            "size": b.size,
        }
        for b in found
    ]
    lines = [
        f"{output.when_text(b.made_at, now):<22} {b.kind:<16} {b.size / 1e6:7.1f} MB  {b.path}"
        for b in found
    ]
    return output.emit(args, data, "\n".join(lines) if lines else "No backups yet.")


def run_restore(paths: DataPaths, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services.backups import restore_backup

    source = Path(args.file).expanduser()
    saved = restore_backup(paths, source, now)
    said = f"Restored {source}." + (f" The replaced data is saved at {saved}." if saved else "")
    data = {"restored": str(source), "saved": str(saved) if saved else None}
    return output.say(args, data, said)


def run_doctor(paths: DataPaths, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services.doctor import run_checks

    checks = run_checks(paths)
    data = [{"check": c.name, "ok": c.ok, "detail": c.detail} for c in checks]
    lines = [f"{'ok' if c.ok else 'PROBLEM':<8}{c.name:<14}{c.detail}" for c in checks]
    output.emit(args, data, "\n".join(lines))
    return 0 if all(c.ok for c in checks) else 1


def declare(sub: Subcommands) -> None:
    """The backup commands, in the order `--help` lists them."""
    p = add_command(
        sub, "backup", "save a consistent copy of the database now", UsesFolder(run_backup)
    )
    p.add_argument("--output", metavar="FILE", help="write it here (default: the backups folder)")
    add_command(
        sub, "backups", "list the backups, newest first", UsesFolder(run_backups, reads=True)
    )
    p = add_command(
        sub,
        "restore",
        "replace the database with a backup (the current one is saved first)",
        UsesFolder(run_restore),
    )
    p.add_argument("file", metavar="FILE")
    add_command(
        sub,
        "doctor",
        "check the data folder, database, backups and keyring",
        UsesFolder(run_doctor, reads=True),
    )
