"""The folders sync engines on this machine were told to replicate, read from their own config.

The domain (domain/syncroots.py) knows the engines' default folders; a person may have shared
any other folder with Syncthing, or moved their Dropbox or Nextcloud folder. Those are read
here from each engine's config file, as it exists on this machine; a file that is missing or
unreadable simply adds nothing.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path, PurePath

from followthrough.domain.syncroots import SyncRoot, check_data_folder

_NEXTCLOUD_PATH = re.compile(r"^\d+\\Folders\\\d+\\localPath=(.+)$", re.MULTILINE)


def syncthing_configs(home: Path, env: Mapping[str, str]) -> list[Path]:
    state = Path(env.get("XDG_STATE_HOME") or home / ".local" / "state")
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    local = Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local")
    return [
        state / "syncthing" / "config.xml",  # Syncthing 1.27 and later
        config / "syncthing" / "config.xml",
        home / "Library" / "Application Support" / "Syncthing" / "config.xml",
        local / "Syncthing" / "config.xml",
    ]


def known_sync_roots(home: Path, env: Mapping[str, str] | None = None) -> list[SyncRoot]:
    """Every folder an engine here is configured to replicate, resolved."""
    env = os.environ if env is None else env
    roots: list[SyncRoot] = []
    for config in syncthing_configs(home, env):
        roots += [SyncRoot(p, "Syncthing") for p in _syncthing_folders(config, home)]
    for path in _dropbox_folders(home / ".dropbox" / "info.json"):
        roots.append(SyncRoot(path, "Dropbox"))
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    for name in ("Nextcloud/nextcloud.cfg", "ownCloud/owncloud.cfg"):
        engine = name.split("/")[0]
        roots += [SyncRoot(p, engine) for p in _nextcloud_folders(config / name)]
    return roots


def _resolved(text: str, home: Path) -> PurePath:
    path = Path(text.replace("~", str(home), 1) if text.startswith("~") else text)
    try:
        return path.resolve()
    except OSError:
        return path


def _syncthing_folders(config: Path, home: Path) -> list[PurePath]:
    try:
        tree = ET.parse(config)  # noqa: S314 - the person's own Syncthing config on this machine
    except (OSError, ET.ParseError):
        return []
    return [
        _resolved(f.get("path", ""), home) for f in tree.getroot().iter("folder") if f.get("path")
    ]


def _dropbox_folders(info: Path) -> list[PurePath]:
    try:
        accounts = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(accounts, dict):
        return []
    return [
        _resolved(account["path"], info.parent.parent)
        for account in accounts.values()
        if isinstance(account, dict) and isinstance(account.get("path"), str)
    ]


def _nextcloud_folders(config: Path) -> list[PurePath]:
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [_resolved(m.strip(), config.parent) for m in _NEXTCLOUD_PATH.findall(text)]


def refuse_replicated_data_folder(data_dir: Path, home: Path | None = None) -> None:
    """InvalidData when a sync engine (Dropbox, Syncthing, Nextcloud, OneDrive…) replicates
    `data_dir`: a database copied while it is open arrives damaged (domain/syncroots.py).
    Light on purpose: the app asks before its first paint, with no database layer loaded."""
    home = home or Path.home()
    check_data_folder(data_dir.expanduser().resolve(), home.resolve(), known_sync_roots(home))
