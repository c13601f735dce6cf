"""Where replicating engines live, so the database is never put where one would copy it.

Syncthing, Dropbox, Nextcloud and the rest copy files as they change; a SQLite database in WAL
mode copied that way, while the app has it open, arrives torn (Syncthing's maintainers say as
much: it is not for live databases). So the data folder must not be inside a folder such an
engine replicates, and the sync folder the person chooses (which is replicated) must not hold
the data folder or the database.

Pure: paths come in already made absolute and resolved (the service layer resolves symlinks
and reads the engines' own config files for the folders they were told to replicate).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from followthrough.errors import InvalidData


@dataclass(frozen=True)
class SyncRoot:
    """A folder some engine replicates: `engine` is its name as a person knows it."""

    path: PurePath
    engine: str


# Folders named so right under the home folder are the engines' defaults (a team Dropbox is
# "Dropbox (Acme)", a work OneDrive "OneDrive - Acme"; Syncthing's default folder is ~/Sync).
_HOME_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Dropbox( \(.+\))?$", re.IGNORECASE), "Dropbox"),
    (re.compile(r"^Sync$"), "Syncthing"),
    (re.compile(r"^Nextcloud\d*$", re.IGNORECASE), "Nextcloud"),
    (re.compile(r"^ownCloud\d*$", re.IGNORECASE), "ownCloud"),
    (re.compile(r"^OneDrive( - .+)?$", re.IGNORECASE), "OneDrive"),
    (re.compile(r"^iCloud ?Drive$", re.IGNORECASE), "iCloud Drive"),
    (re.compile(r"^(Google Drive|GoogleDrive|My Drive)$", re.IGNORECASE), "Google Drive"),
)
# macOS puts every File Provider engine under ~/Library/CloudStorage/<Engine>-<account>.
_CLOUD_STORAGE: tuple[tuple[str, str], ...] = (
    ("dropbox", "Dropbox"),
    ("onedrive", "OneDrive"),
    ("googledrive", "Google Drive"),
    ("nextcloud", "Nextcloud"),
    ("box", "Box"),
)


def sync_root_holding(
    path: PurePath, home: PurePath, known: Iterable[SyncRoot] = ()
) -> SyncRoot | None:
    """The replicated folder that holds `path` (or is it), if any."""
    for root in known:
        if _within(path, root.path):
            return root
    if not _within(path, home) or path == home:
        return None
    parts = path.relative_to(home).parts
    for pattern, engine in _HOME_NAMES:
        if pattern.match(parts[0]):
            return SyncRoot(home / parts[0], engine)
    if len(parts) >= 3 and parts[0] == "Library":
        if parts[1] == "Mobile Documents":
            return SyncRoot(home / "Library" / "Mobile Documents", "iCloud Drive")
        if parts[1] == "CloudStorage":
            lowered = parts[2].casefold()
            provider = next((e for key, e in _CLOUD_STORAGE if lowered.startswith(key)), None)
            return SyncRoot(home.joinpath(*parts[:3]), provider or "a cloud drive")
    return None


def data_folder_problem(
    data_dir: PurePath, home: PurePath, known: Iterable[SyncRoot] = ()
) -> str | None:
    """Why the data folder may not be where it is, as a sentence; None when it may."""
    root = sync_root_holding(data_dir, home, known)
    if root is None:
        return None
    return (
        f"The data folder {data_dir} is inside {root.path}, which {root.engine} copies to "
        "other machines; a database copied while it is open arrives damaged. Keep the data "
        "folder outside it, and choose a sync folder in Settings › Sync to use the same "
        "pipeline on several machines."
    )


def check_data_folder(data_dir: PurePath, home: PurePath, known: Iterable[SyncRoot] = ()) -> None:
    """Refuse a data folder a sync engine would replicate (InvalidData on `data_dir`)."""
    problem = data_folder_problem(data_dir, home, known)
    if problem:
        raise InvalidData(problem, "data_dir")


def sync_folder_problem(
    sync_folder: PurePath, data_dir: PurePath, database: PurePath | None = None
) -> str | None:
    """Why `sync_folder` may not be the sync folder (it would copy the database); or None."""
    if _within(data_dir, sync_folder) or (database is not None and _within(database, sync_folder)):
        return (
            f"The sync folder {sync_folder} holds Followthrough's data folder {data_dir}; the "
            "database must never be copied by a sync engine. Choose a folder outside the data "
            "folder, such as a new folder inside your Syncthing or Dropbox folder."
        )
    return None


def check_sync_folder(
    sync_folder: PurePath, data_dir: PurePath, database: PurePath | None = None
) -> None:
    problem = sync_folder_problem(sync_folder, data_dir, database)
    if problem:
        raise InvalidData(problem, "sync_folder")


def _within(path: PurePath, folder: PurePath) -> bool:
    return path == folder or folder in path.parents
