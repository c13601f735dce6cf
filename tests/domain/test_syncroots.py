"""The database is never put where a sync engine would copy it, and the person is told why."""

from __future__ import annotations

from pathlib import PurePosixPath as P

import pytest

from followthrough.domain.syncroots import (
    SyncRoot,
    check_data_folder,
    check_sync_folder,
    data_folder_problem,
    sync_folder_problem,
    sync_root_holding,
)
from followthrough.errors import InvalidData

HOME = P("/home/ada")


@pytest.mark.parametrize(
    ("data_dir", "root", "engine"),
    [
        ("Dropbox/apps/followthrough", "Dropbox", "Dropbox"),
        ("Dropbox (Acme Ltd)/x", "Dropbox (Acme Ltd)", "Dropbox"),
        ("Sync/followthrough", "Sync", "Syncthing"),
        ("Nextcloud/data", "Nextcloud", "Nextcloud"),
        ("OneDrive - Acme/ft", "OneDrive - Acme", "OneDrive"),
        ("OneDrive", "OneDrive", "OneDrive"),
        ("Google Drive/ft", "Google Drive", "Google Drive"),
        ("iCloudDrive/ft", "iCloudDrive", "iCloud Drive"),
        (
            "Library/Mobile Documents/com~apple~CloudDocs/ft",
            "Library/Mobile Documents",
            "iCloud Drive",
        ),
        (
            "Library/CloudStorage/GoogleDrive-ada@example.com/My Drive/ft",
            "Library/CloudStorage/GoogleDrive-ada@example.com",
            "Google Drive",
        ),
        (
            "Library/CloudStorage/OneDrive-Personal/ft",
            "Library/CloudStorage/OneDrive-Personal",
            "OneDrive",
        ),
    ],
)
def test_a_data_folder_inside_a_known_sync_root_is_refused_with_a_reason(
    data_dir: str, root: str, engine: str
) -> None:
    assert sync_root_holding(HOME / data_dir, HOME) == SyncRoot(HOME / root, engine)
    problem = data_folder_problem(HOME / data_dir, HOME)
    assert problem is not None
    assert f"inside {HOME / root}, which {engine} copies to other machines" in problem
    assert "arrives damaged" in problem
    with pytest.raises(InvalidData) as refused:
        check_data_folder(HOME / data_dir, HOME)
    assert refused.value.field == "data_dir"
    assert str(refused.value) == problem


@pytest.mark.parametrize(
    "data_dir",
    [
        "/home/ada/.local/share/followthrough",
        "/home/ada/Documents/Dropbox notes/ft",  # "Dropbox" deeper down is just a name
        "/home/ada/Synced",
        "/home/ada",
        "/srv/Dropbox/ft",  # outside the home folder and not a known root
        "/home/ada/Library/Application Support/Followthrough",
    ],
)
def test_ordinary_data_folders_are_accepted(data_dir: str) -> None:
    assert sync_root_holding(P(data_dir), HOME) is None
    assert data_folder_problem(P(data_dir), HOME) is None
    check_data_folder(P(data_dir), HOME)


def test_folders_syncthing_was_told_to_share_are_known_roots_too() -> None:
    shared = [SyncRoot(P("/data/shared/work"), "Syncthing")]
    inside = P("/data/shared/work/ft")
    assert sync_root_holding(inside, HOME, shared) == shared[0]
    assert sync_root_holding(P("/data/shared/work"), HOME, shared) == shared[0]
    assert sync_root_holding(P("/data/shared/workshop/ft"), HOME, shared) is None
    problem = data_folder_problem(inside, HOME, shared)
    assert problem is not None
    assert "which Syncthing copies" in problem


def test_a_sync_folder_must_not_hold_the_data_folder_or_the_database() -> None:
    data = HOME / ".local/share/followthrough"
    for bad in (data, HOME / ".local", HOME):
        problem = sync_folder_problem(bad, data)
        assert problem is not None
        assert "must never be copied by a sync engine" in problem
        with pytest.raises(InvalidData) as refused:
            check_sync_folder(bad, data)
        assert refused.value.field == "sync_folder"
    elsewhere_db = P("/var/lib/ft/followthrough.sqlite3")
    assert sync_folder_problem(P("/var/lib"), data, elsewhere_db) is not None
    assert sync_folder_problem(HOME / "Sync/followthrough", data, data / "f.sqlite3") is None
    check_sync_folder(HOME / "Sync/followthrough", data)
