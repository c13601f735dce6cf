"""The sync folder's files: their names, writing them whole, and reading them warily.

Every file a device publishes is written under a `.tmp-<random>` name, fsync'd, then renamed
(and the folder fsync'd), so a replicating engine (Syncthing, Dropbox, Nextcloud...) only ever
sees a final name on a complete file. Readers trust nothing: the engine may hand over half a
file, an empty one, its own temporary or conflict copies, or a file from a newer version of
the app. Each of those is skipped (and at most noted), never raised: the file is read again
at the next sync, when the engine has finished copying it.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import re
import zlib
from pathlib import Path
from typing import Any

from followthrough.errors import FollowthroughError

FORMAT = 1
TOP = "followthrough-sync"
VERSION_DIR = "v1"  # a format no v1 reader could skip safely would get a folder of its own
DEVICE_FILE = "device.json"
TEMP_PREFIX = ".tmp-"
BATCH_NAME = re.compile(r"^ops-(\d{12})-(\d{12})\.json\.gz$")
SNAPSHOT_NAME = re.compile(r"^snapshot-([0-9A-Za-z_-]{1,200})\.json\.gz$")
DEVICE_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
# A batch or snapshot larger than this once unpacked is not one of ours: never unpack it whole.
MAX_UNPACKED = 256 * 1024 * 1024


class SyncFolderError(FollowthroughError):
    """The sync folder cannot be written (missing, read-only, full); nothing local was lost."""

    exit_code = 5
    # A sync pass that read the other devices before failing to write hangs its report here.
    report: Any = None


def batch_name(first: int, last: int) -> str:
    return f"ops-{first:012d}-{last:012d}.json.gz"


def snapshot_name(hlc: str) -> str:
    return f"snapshot-{hlc}.json.gz"


def folder_problem(root: Path, error: OSError) -> SyncFolderError:
    """The sentence a person reads when the sync folder refuses a write."""
    kept = "Nothing is lost: the changes stay on this computer and are written at the next sync."
    if error.errno == errno.ENOSPC or error.errno == getattr(errno, "EDQUOT", -1):
        said = f"The disk that holds the sync folder {root} is full."
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        said = f"Followthrough may not write in the sync folder {root} (it is read-only)."
    elif error.errno in (errno.ENOENT, errno.ENOTDIR):
        said = f"The sync folder {root} is not there (is its drive attached?)."
    else:
        said = f"The sync folder {root} cannot be written ({error.strerror or error})."
    return SyncFolderError(f"{said} {kept}")


def pack(document: dict[str, Any]) -> bytes:
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # mtime=0: the same content always gives the same bytes (engines compare by content too).
    return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)


def plain_json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def write_whole(target: Path, data: bytes, *, replace: bool) -> bool:
    """Publish `data` at `target` through a temporary name; False if it exists and not `replace`.

    The temporary file is fsync'd before the rename and the folder after it, so a crash or a
    power cut leaves either no final name or a complete file under it.
    """
    if not replace and target.exists():
        return False
    temp = target.with_name(f"{TEMP_PREFIX}{os.urandom(8).hex()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    sync_dir(target.parent)
    return True


def sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some platforms and shares cannot open a folder: the rename stands anyway
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Unreadable(Exception):
    """A file that is not (yet) a complete document of ours; `newer` when its format is ahead."""

    def __init__(self, why: str, newer: bool = False) -> None:
        super().__init__(why)
        self.newer = newer


def read_document(path: Path, *, gz: bool = True, ours: int = FORMAT) -> dict[str, Any]:
    """The JSON object in `path`, or Unreadable (empty, truncated, damaged, a newer format)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise Unreadable(f"cannot be read ({error.strerror})") from None
    if not raw:
        raise Unreadable("is empty")
    if gz:
        try:
            unpacker = zlib.decompressobj(wbits=31)  # gzip framing, checked to the end
            raw_text = unpacker.decompress(raw, MAX_UNPACKED)
            if unpacker.unconsumed_tail:
                raise Unreadable("is larger than any file Followthrough writes")
            if not unpacker.eof:
                raise Unreadable("is incomplete")
        except zlib.error:
            raise Unreadable("is damaged or incomplete") from None
    else:
        raw_text = raw
    try:
        document = json.loads(raw_text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Unreadable("is damaged or incomplete") from None
    if not isinstance(document, dict):
        raise Unreadable("is not a Followthrough sync file")
    version = document.get("format")
    if not isinstance(version, int) or isinstance(version, bool):
        raise Unreadable("is not a Followthrough sync file")
    if version > ours:
        newer = f"was written by a newer version of Followthrough (format {version})"
        raise Unreadable(newer, newer=True)
    return document
