"""The app's log file: where a traceback goes when something fails that the person cannot fix.

The window says one sentence and points here (Help › Open log folder); the file keeps the
details a bug report needs. It lives in the platform's log folder (on Linux
`$XDG_STATE_HOME/Followthrough/log`), readable by its owner only: the log names leads and
mail servers. It rotates (1 MB, three old files), so it never grows without bound.

Passwords never reach it: no module logs one, and the mail pass, the one place that holds
a password while it talks to a server, scrubs it from what it logs (ui/mailwatcher.py).
"""

from __future__ import annotations

import logging
import os
from io import TextIOWrapper
from pathlib import Path

from followthrough import APP_NAME

LOG_NAME = "followthrough.log"
MAX_BYTES = 1_000_000
KEPT = 3  # rotated files: followthrough.log.1 … .3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

_handler: logging.FileHandler | None = None
_set_level = False  # open_log chose the app's level, and close_log puts it back


def platform_log_folder() -> Path:
    """The platform's folder for the app's logs (it may not exist yet)."""
    from platformdirs import user_log_path

    return user_log_path(APP_NAME, appauthor=False)


def log_folder() -> Path:
    """Where the log is written: the open log's folder, else the platform's."""
    path = log_path()
    return path.parent if path is not None else platform_log_folder()


def log_path() -> Path | None:
    """The file being written now, or None when no log is open."""
    return Path(_handler.baseFilename) if _handler is not None else None


def _private_rotating_file(target: Path) -> logging.FileHandler:
    """A rotating handler whose every file, the first and each after a rotation, is 0600."""
    # Imported here: logging.handlers costs the app's start-up 20 ms (it imports socket).
    from logging.handlers import RotatingFileHandler

    class PrivateRotatingFile(RotatingFileHandler):
        def _open(self) -> TextIOWrapper:
            # Always appended to, as a rotating handler does; the handler closes the stream.
            return open(
                self.baseFilename,
                "a",
                encoding=self.encoding,
                errors=self.errors,
                opener=lambda path, flags: os.open(path, flags, 0o600),
            )

    return PrivateRotatingFile(target, maxBytes=MAX_BYTES, backupCount=KEPT, encoding="utf-8")


def private_folder(folder: Path) -> Path:
    """Create `folder` (and its parents) if missing; the folder itself readable by its owner."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def open_log(folder: Path | None = None) -> Path | None:
    """Start writing the log (once; later calls change nothing); the file, or None.

    A folder that cannot be written is no reason not to start: the app then runs without a
    log file, and Python's last-resort handler still prints errors on stderr.
    """
    global _handler, _set_level
    if _handler is not None:
        return Path(_handler.baseFilename)
    handler: logging.FileHandler | None = None
    try:
        target = private_folder(folder or platform_log_folder()) / LOG_NAME
        handler = _private_rotating_file(target)
        os.chmod(target, 0o600)  # a file already there, made with the umask's mode
    except OSError:
        if handler is not None:
            handler.close()
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    # On the root logger, so what the libraries warn about lands here too; the app's own
    # modules also say what they do (INFO), the libraries only what went wrong.
    logging.getLogger().addHandler(handler)
    ours = logging.getLogger("followthrough")
    _set_level = ours.level == logging.NOTSET
    if _set_level:
        ours.setLevel(logging.INFO)
    _handler = handler
    return target


def close_log() -> None:
    """Stop writing the log (at exit; a test that opened one)."""
    global _handler, _set_level
    if _handler is None:
        return
    logging.getLogger().removeHandler(_handler)
    _handler.close()
    _handler = None
    if _set_level:
        logging.getLogger("followthrough").setLevel(logging.NOTSET)
        _set_level = False
