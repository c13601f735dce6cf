"""Files and folders that are private from their first byte and never take another's name.

Backups, exports, set-aside files and the app's own settings files go through here: each is
created under a temporary name in the target's own folder (O_CREAT | O_EXCL | O_NOFOLLOW,
0600 whatever the umask), filled, synced, and only then linked under its real name (renamed,
when it is meant to replace a file). So a crash never leaves half a file under a name that
looks complete, a symlink planted at either name is never followed, and a name that is taken
(by a backup made the same second, or by anything else) is never overwritten by accident.

A temporary file is named `.<target name>.<random>.tmp` and stays locked (flock) by the
process writing it. The lock goes when that process ends, however it ends: an unlocked
temporary file is the leftover of a process that died, and `remove_orphans` deletes it.
Nothing heavier than the standard library is imported: the data folder is made at start-up.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; leftovers are told apart by their age instead
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tmp"
# SQLite writes these beside a database it fills: they belong to the temporary file.
SQLITE_SIDES = ("-journal", "-wal", "-shm")
# Where locks are missing, a temporary file untouched this long is taken for a leftover.
STALE_AFTER_SECONDS = 15 * 60
MAX_SAME_NAME = 1000  # `name-2` ... `name-999`: more in one second is a fault, not a need

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NEW_FILE = os.O_CREAT | os.O_EXCL | os.O_RDWR | _NOFOLLOW | _CLOEXEC
# Filesystems without hard links (FAT, some network shares) answer link() with one of these.
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}


def make_private_dir(path: Path) -> list[Path]:
    """Create `path` and each missing folder above it, 0700 whatever the umask.

    Only the folders made here are tightened: one that already exists is the user's, and
    keeps its mode. Returns the folders made, outermost first (to take back after a failure).
    """
    missing: list[Path] = []
    folder = path
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    made: list[Path] = []
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            if folder.is_dir():
                continue  # made meanwhile by another process: not ours to change
            raise
        # mkdir's mode passes through the umask, which may take bits away (never add them).
        os.chmod(folder, 0o700)
        made.append(folder)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    return made


def remove_empty_dirs(made: list[Path]) -> None:
    """Take back folders `make_private_dir` made, innermost first, as long as they are empty."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            return  # something was put there meanwhile: it stays, and so do its parents


def create_private_file(path: Path) -> int:
    """A new empty file at `path`, 0600, opened for writing; never through a symlink."""
    fd = os.open(path, _NEW_FILE, 0o600)
    _make_private(fd)
    return fd


def _make_private(fd: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)  # the umask can take the owner's bits from open()'s mode


@dataclass(frozen=True)
class TempFile:
    """A private temporary file beside its target, locked for as long as it is being written."""

    path: Path
    fd: int


@contextmanager
def temp_beside(target: Path) -> Iterator[TempFile]:
    """A locked, private temporary file in `target`'s folder, gone when the block ends.

    Publish it with `publish` or `publish_unique` before the block ends; whatever happens,
    the temporary name (and any SQLite side file beside it) is removed afterwards.
    """
    temp = _new_temp(target)
    try:
        yield temp
    finally:
        for side in _sides(temp.path):
            side.unlink(missing_ok=True)
        temp.path.unlink(missing_ok=True)
        os.close(temp.fd)  # last: the file is never unlocked while it still has its name


def _new_temp(target: Path) -> TempFile:
    for _ in range(100):
        path = target.with_name(f".{target.name}.{os.urandom(6).hex()}{TEMP_SUFFIX}")
        try:
            fd = create_private_file(path)
        except FileExistsError:
            continue
        if _lock(fd) and _still_named(path, fd):
            return TempFile(path, fd)
        # A sweep took the file for a leftover between its birth and its lock: start again.
        os.close(fd)
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def _lock(fd: int) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _still_named(path: Path, fd: int) -> bool:
    try:
        return os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _sides(path: Path) -> list[Path]:
    return [path.with_name(path.name + side) for side in SQLITE_SIDES]


def publish(temp: TempFile, target: Path, *, replace: bool = False) -> Path:
    """Give the finished temporary file its real name, after syncing it to the disk.

    Without `replace`, a name that exists (even as a dangling symlink) raises
    FileExistsError and is left alone; with it, the name is replaced, never followed.
    """
    os.fsync(temp.fd)
    if replace:
        os.replace(temp.path, target)
    else:
        _link_new_name(temp.path, target)
    _sync_folder(target.parent)
    return target


def publish_unique(temp: TempFile, target: Path) -> Path:
    """`publish` under `target`'s name, or `name-2`, `name-3`... when it is taken."""
    for candidate in same_name_series(target):
        try:
            return publish(temp, candidate)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "every name of the series is taken", str(target))


def same_name_series(target: Path) -> Iterator[Path]:
    """`x.sqlite3`, `x-2.sqlite3`, `x-3.sqlite3`...: a series that sorts back to `x`."""
    yield target
    for number in range(2, MAX_SAME_NAME):
        yield target.with_name(f"{target.stem}-{number}{target.suffix}")


def move_unique(source: Path, target: Path) -> Path:
    """Move `source` (in the same folder tree) to `target` or the next free name of its series."""
    for candidate in same_name_series(target):
        try:
            _link_new_name(source, candidate)
        except FileExistsError:
            continue
        source.unlink(missing_ok=True)  # linked rather than renamed: drop the old name
        _sync_folder(candidate.parent)
        return candidate
    raise FileExistsError(errno.EEXIST, "every name of the series is taken", str(target))


def _link_new_name(source: Path, target: Path) -> None:
    """Add `target` as a name of `source`, or fail if it exists: link() never overwrites."""
    try:
        if os.link in os.supports_follow_symlinks:
            os.link(source, target, follow_symlinks=False)
        else:
            os.link(source, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        # No hard links here: check, then rename. The gap between the two is the best
        # such a filesystem allows; the folder is the app's own, so nobody else races us.
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.rename(source, target)


def _sync_folder(folder: Path) -> None:
    # The new name is only durable once the folder itself is on the disk.
    with suppress(OSError):  # not every platform or filesystem lets a folder be opened
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_orphans(folder: Path, target_name: str | None = None) -> list[Path]:
    """Delete the temporary files a process that died left in `folder`; the ones removed.

    With `target_name`, only the leftovers of writing that name are looked at (for a folder
    of the user's, where other names are none of our business).
    """
    prefix = "." if target_name is None else f".{target_name}."
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    names = {entry.name for entry in entries}
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix) or entry.is_symlink():
            continue
        path = Path(entry.path)
        if name.endswith(TEMP_SUFFIX) and _remove_if_abandoned(path):
            removed.append(path)
        elif any(name.endswith(TEMP_SUFFIX + side) for side in SQLITE_SIDES):
            main = name[: name.rindex(TEMP_SUFFIX) + len(TEMP_SUFFIX)]
            if main not in names:  # its database is gone, so nothing is writing it
                path.unlink(missing_ok=True)
    return removed


def _remove_if_abandoned(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
    except OSError:
        return False  # gone already, or not ours to open
    try:
        if fcntl is None:
            if time.time() - os.fstat(fd).st_mtime < STALE_AFTER_SECONDS:
                return False
        elif not _lock(fd):
            return False  # its writer is alive and holds it
        if not _still_named(path, fd):
            return False
        for side in _sides(path):
            side.unlink(missing_ok=True)
        path.unlink()
        return True
    except FileNotFoundError:
        return False
    finally:
        os.close(fd)  # releases our lock
