"""What nothing else caught: written to the log, and told in a short box on the GUI thread.

Installed around the event loop (ui/app.py) as `sys.excepthook` (PySide calls it for an
exception raised in a slot) and `threading.excepthook` (a thread of our own that died). The
traceback goes to the log file on the thread it happened on; the box is asked for through a
queued signal, so it always opens on the GUI thread, between events, and the thread that
failed never waits for it. One box at a time: a storm of errors counts in the open box
instead of stacking boxes. An error while reporting one is printed the plain Python way,
never reported again, so the hook cannot loop.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import Shiboken

from followthrough import APP_NAME
from followthrough.logfile import log_folder, private_folder

log = logging.getLogger(__name__)

SAID = (
    "Something went wrong. Followthrough carries on, but what you just did may not have "
    "finished. The details are in the log folder."
)


def open_log_folder() -> Path:
    """Show the log folder in the desktop's file manager (made first if it is missing)."""
    folder = private_folder(log_folder())
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
    return folder


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class UncaughtErrors(QObject):
    """Reports uncaught exceptions while installed; `window` is the parent of its box."""

    _arrived = Signal(str)  # the exception's type: nothing of the failing thread crosses

    def __init__(self, window: QWidget | None = None) -> None:
        super().__init__()
        self.window = window
        self.box: QMessageBox | None = None
        self.more = 0  # errors since the open box was shown
        self.reported = 0  # every error reported while installed
        self._previous: tuple[Any, Any] | None = None
        self._reporting = threading.local()
        self._arrived.connect(self._tell, Qt.ConnectionType.QueuedConnection)

    @property
    def installed(self) -> bool:
        return self._previous is not None

    def install(self) -> None:
        if self._previous is not None:
            return
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._python_hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        """Put the hooks back as they were (if nothing replaced ours since); close the box."""
        if self._previous is None:
            return
        python_hook, thread_hook = self._previous
        self._previous = None
        if sys.excepthook == self._python_hook:
            sys.excepthook = python_hook
        if threading.excepthook == self._thread_hook:
            threading.excepthook = thread_hook
        if self.box is not None and Shiboken.isValid(self.box):
            self.box.close()
        self.box = None

    # --- on the thread that failed ----------------------------------------------------------

    def _python_hook(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        previous = self._previous[0] if self._previous is not None else sys.__excepthook__
        self._report((kind, value, tb), threading.current_thread().name)
        previous(kind, value, tb)  # a terminal still shows it (and a test still fails on it)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        previous = self._previous[1] if self._previous is not None else threading.__excepthook__
        if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
            name = args.thread.name if args.thread is not None else "a thread"
            self._report((args.exc_type, args.exc_value, args.exc_traceback), name)
        previous(args)

    def _report(self, info: ExcInfo, thread: str) -> None:
        if not issubclass(info[0], Exception):
            return  # Ctrl+C, an exit: not a failure to report
        if getattr(self._reporting, "active", False):
            return  # reporting this one failed: the previous hook prints it, and that is all
        self._reporting.active = True
        try:
            log.error("uncaught %s on %s", info[0].__name__, thread, exc_info=info)
            # RuntimeError: this object is gone (the app is closing); the log has it anyway.
            with contextlib.suppress(RuntimeError):
                self._arrived.emit(info[0].__name__)
        except Exception:
            sys.__excepthook__(*sys.exc_info())
        finally:
            self._reporting.active = False

    # --- on the GUI thread ------------------------------------------------------------------

    @Slot(str)
    def _tell(self, _kind: str) -> None:
        if not self.installed:
            return  # uninstalled meanwhile: the app is closing
        self.reported += 1
        box = self.box
        if box is not None and Shiboken.isValid(box) and box.isVisible():
            self.more += 1
            times = "once more" if self.more == 1 else f"{self.more} more times"
            box.setInformativeText(f"It happened {times} since. {self._where()}")
            return
        self.more = 0
        try:
            self.box = self._new_box()
        except Exception:
            # Never reported through this hook again: that could go round for ever.
            log.exception("the box telling of an error could not be shown")
            self.box = None

    def _new_box(self) -> QMessageBox:
        parent = self.window if self.window is not None and Shiboken.isValid(self.window) else None
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_NAME)
        box.setText(SAID)
        box.setInformativeText(self._where())
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        opener = box.addButton("&Open log folder", QMessageBox.ButtonRole.ActionRole)
        opener.clicked.connect(lambda _checked=False: open_log_folder())
        box.setWindowModality(Qt.WindowModality.NonModal)  # the window stays usable
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        return box

    @staticmethod
    def _where() -> str:
        return f"Log folder: {log_folder()}"
