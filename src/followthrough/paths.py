"""Where Followthrough keeps its data. Resolved once, in `main()`; nothing happens on import."""

from __future__ import annotations

import errno
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from followthrough import APP_NAME
from followthrough.errors import StorageError, UsageError
from followthrough.store.safefiles import make_private_dir, publish, temp_beside

ENV_DATA_DIR = "FOLLOWTHROUGH_DATA_DIR"
DATABASE_NAME = "followthrough.sqlite3"
LOCATION_FILE = "location.json"  # in the config folder: the data folder chosen in Settings
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def backups(self) -> Path:
        return self.root / "backups"


def default_data_dir() -> Path:
    # Imported here so that merely importing this module stays cheap and side-effect free.
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False, roaming=False)


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False, roaming=False)


def resolve_data_dir(cli_value: str | None, environ: Mapping[str, str]) -> Path:
    """`--data-dir`, then `FOLLOWTHROUGH_DATA_DIR`, then the folder chosen in Settings,
    then the platform folder.

    A folder named but left blank is refused (UsageError) rather than skipped: falling
    through to the next source would quietly open, or create, the real default folder
    when a script meant a folder of its own.
    """
    if cli_value is not None:
        return _named_folder(cli_value, "--data-dir")
    if ENV_DATA_DIR in environ:
        return _named_folder(environ[ENV_DATA_DIR], ENV_DATA_DIR)
    saved = _saved_value()
    if isinstance(saved, str) and not saved.strip():
        raise UsageError(
            f"the data folder saved in {config_dir() / LOCATION_FILE} is empty; "
            "choose a folder with --data-dir, or delete that file to use the default"
        )
    return _usable(saved) or default_data_dir()


def _named_folder(value: str, source: str) -> Path:
    if not value.strip():
        raise UsageError(f"{source} is empty; name a folder")
    return Path(value).expanduser().absolute()


def _saved_value() -> object:
    """What the config file says the data folder is, unchecked; None without a readable one."""
    try:
        data = json.loads((config_dir() / LOCATION_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data.get("data_dir") if isinstance(data, dict) else None


def saved_data_dir() -> Path | None:
    """The data folder chosen in Settings, or None.

    A config file that cannot be read or makes no sense is ignored: the app must still start,
    on the default folder, rather than refuse because of a file the user may never have seen.
    (A data folder left blank there is the exception: `resolve_data_dir` refuses it.)
    """
    return _usable(_saved_value())


def _usable(value: object) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        return None
    path = Path(value).expanduser()
    # A relative path would depend on where the app happens to be started from.
    return path if path.is_absolute() else None


def save_data_dir(path: Path | None) -> None:
    """Remember `path` as the data folder from the next start; None goes back to the default."""
    target = config_dir() / LOCATION_FILE
    try:
        if path is None:
            target.unlink(missing_ok=True)
            return
        if not path.is_absolute():
            raise StorageError(f"the data folder must be a full path, not {path}")
        make_private_dir(target.parent)
        _write_atomically(target, json.dumps({"data_dir": str(path)}, indent=2) + "\n")
    except OSError as exc:
        raise StorageError(
            f"cannot save the data folder choice in {target}: {_reason(exc)}"
        ) from None


def _write_atomically(target: Path, text: str) -> None:
    # A crash halfway leaves the old file or the new one, never half of one; the file is
    # 0600 from its first byte, and os.replace keeps that mode.
    with temp_beside(target) as temp:
        with os.fdopen(temp.fd, "w", encoding="utf-8", closefd=False) as handle:
            handle.write(text)
        publish(temp, target, replace=True)


def prepare_data_dir(root: Path) -> DataPaths:
    """Make sure the folder exists and can be written, or say plainly why not.

    A folder we create, and each folder above it that we create, is private (0700) whatever
    the umask. An existing folder keeps its mode: the user may have pointed us at a folder of
    their own, and tightening it would be a surprise.
    """
    if root.exists() and not root.is_dir():
        raise StorageError(f"the data folder {root} is a file, not a folder")
    try:
        make_private_dir(root)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {root}: {_reason(exc)}") from None
    _check_writable(root)
    return DataPaths(root)


def _check_writable(root: Path) -> None:
    # os.access lies for root and on some network mounts: try a real write instead.
    probe = root / f".write-test-{os.getpid()}-{time.monotonic_ns()}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise StorageError(f"the data folder {root} is not writable: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if exc.errno is not None and exc.strerror:
        return exc.strerror.lower()
    return errno.errorcode.get(exc.errno or 0, str(exc))
