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
from followthrough.errors import StorageError

ENV_DATA_DIR = "FOLLOWTHROUGH_DATA_DIR"
DATABASE_NAME = "followthrough.sqlite3"
LOCATION_FILE = "location.json"  # in the config folder: the data folder chosen in Settings


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
    then the platform folder."""
    chosen = cli_value or environ.get(ENV_DATA_DIR) or None
    if chosen:
        return Path(chosen).expanduser().absolute()
    return saved_data_dir() or default_data_dir()


def saved_data_dir() -> Path | None:
    """The data folder chosen in Settings, or None.

    A config file that cannot be read or makes no sense is ignored: the app must still start,
    on the default folder, rather than refuse because of a file the user may never have seen.
    """
    try:
        data = json.loads((config_dir() / LOCATION_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    value = data.get("data_dir") if isinstance(data, dict) else None
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
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_atomically(target, json.dumps({"data_dir": str(path)}, indent=2) + "\n")
    except OSError as exc:
        raise StorageError(
            f"cannot save the data folder choice in {target}: {_reason(exc)}"
        ) from None


def _write_atomically(target: Path, text: str) -> None:
    # A crash halfway leaves the old file or the new one, never half of one. mkstemp makes
    # the file 0600, and os.replace keeps that mode.
    import tempfile  # only when saving: start-up stays lean

    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def prepare_data_dir(root: Path) -> DataPaths:
    """Make sure the folder exists and can be written, or say plainly why not.

    A folder we create is private (0700). An existing folder keeps its mode: the user may
    have pointed us at a folder of their own, and tightening it would be a surprise.
    """
    if root.exists() and not root.is_dir():
        raise StorageError(f"the data folder {root} is a file, not a folder")
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {root}: {_reason(exc)}") from None
    _check_writable(root)
    return DataPaths(root)


def _check_writable(root: Path) -> None:
    # os.access lies for root and on some network mounts: try a real write instead.
    probe = root / f".write-test-{os.getpid()}-{time.monotonic_ns()}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError as exc:
        raise StorageError(f"the data folder {root} is not writable: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if exc.errno is not None and exc.strerror:
        return exc.strerror.lower()
    return errno.errorcode.get(exc.errno or 0, str(exc))
