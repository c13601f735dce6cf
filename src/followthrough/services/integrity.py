"""Is the database whole? A quick check before anything opens it, and the way back if not.

Everything here only reads: a damaged file is described and left exactly as it was, so the
person decides what replaces it.

The check itself needs nothing heavier than sqlite3 (store/integrity.py): the app starts it
before it imports its database layer, so the backups' module is imported only when a
damaged file sends the person looking for one.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from followthrough.errors import FollowthroughError
from followthrough.paths import DataPaths
from followthrough.store.integrity import quick_check, quick_check_soon

if TYPE_CHECKING:
    from followthrough.services.backups import BackupInfo

__all__ = [
    "damaged_message",
    "newest_good_backup",
    "quick_check",
    "quick_check_soon",
    "restore_hint",
]


def newest_good_backup(paths: DataPaths) -> BackupInfo | None:
    """The newest backup that passes a full check; broken ones are passed over."""
    from followthrough.services.backups import check_backup, list_backups

    for info in list_backups(paths):
        try:
            check_backup(info.path)
        except FollowthroughError:
            continue
        return info
    return None


def damaged_message(paths: DataPaths, reason: str, command: str = "followthrough") -> str:
    """One line for the command line: what is wrong, and the command that repairs it.

    `command` is how the person calls the program for this data folder (with --data-dir
    when they named one), so the suggested restore goes to the same folder.
    """
    what = reason.removeprefix("damaged: ")
    said = f"the database in {paths.root} is damaged ({what}); nothing was changed"
    newest = newest_good_backup(paths)
    if newest is None:
        return f"{said}, and there is no good backup; run {command} doctor"
    return f"{said}. {restore_hint(newest, command)}"


def restore_hint(newest: BackupInfo | None, command: str = "followthrough") -> str:
    if newest is None:
        return f"There is no good backup; run {command} doctor"
    return f"Restore the newest good backup with: {command} restore {shlex.quote(str(newest.path))}"
