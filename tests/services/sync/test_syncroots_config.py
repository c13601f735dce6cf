"""Folders a person shared through Syncthing, Dropbox or Nextcloud are known sync roots too."""

from __future__ import annotations

import json
from pathlib import Path

from followthrough.domain.syncroots import data_folder_problem
from followthrough.services.sync.syncroots_config import known_sync_roots


def test_folders_from_the_engines_own_config_files_are_found(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shared, moved_dropbox, nextcloud = tmp_path / "work", tmp_path / "db", tmp_path / "nc"
    for folder in (shared, moved_dropbox, nextcloud):
        folder.mkdir()
    syncthing = home / ".local/state/syncthing/config.xml"
    syncthing.parent.mkdir(parents=True)
    syncthing.write_text(
        f'<configuration version="37"><folder id="abcd" label="Work" path="{shared}">'
        '<device id="X"/></folder><folder id="e" path="~/Camera"/></configuration>'
    )
    (home / ".dropbox").mkdir()
    (home / ".dropbox/info.json").write_text(json.dumps({"personal": {"path": str(moved_dropbox)}}))
    cfg = home / ".config/Nextcloud/nextcloud.cfg"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(f"[Accounts]\n0\\Folders\\1\\localPath={nextcloud}/\n0\\url=https://x\n")
    (home / ".config/syncthing").mkdir()
    (home / ".config/syncthing/config.xml").write_text("<configuration><folder")  # damaged

    roots = known_sync_roots(home, env={})
    assert {(str(r.path), r.engine) for r in roots} == {
        (str(shared), "Syncthing"),
        (str(home / "Camera"), "Syncthing"),
        (str(moved_dropbox), "Dropbox"),
        (str(nextcloud), "Nextcloud"),
    }
    problem = data_folder_problem(shared / "followthrough", home, roots)
    assert problem is not None
    assert "which Syncthing copies" in problem


def test_no_engine_installed_means_no_extra_roots(tmp_path: Path) -> None:
    assert known_sync_roots(tmp_path, env={}) == []
