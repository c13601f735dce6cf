"""Where Followthrough keeps its data. Resolved once, in `main()`; nothing happens on import."""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from followthrough import APP_NAME
from followthrough.errors import StorageError

ENV_DATA_DIR = "FOLLOWTHROUGH_DATA_DIR"
DATABASE_NAME = "followthrough.sqlite3"


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


def resolve_data_dir(cli_value: str | None, environ: Mapping[str, str]) -> Path:
    """`--data-dir` wins over `FOLLOWTHROUGH_DATA_DIR`, which wins over the platform folder."""
    chosen = cli_value or environ.get(ENV_DATA_DIR) or None
    if chosen:
        return Path(chosen).expanduser().absolute()
    return default_data_dir()


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
    probe = root / f".write-test-{uuid.uuid4().hex}"
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
