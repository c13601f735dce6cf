"""What happens between the window's first paint and an open database, off the GUI thread.

Importing the database layer (SQLAlchemy, SQLModel, the models) costs more than half a
second on a slow machine; reading the board costs a tenth of that. So one thread, started
once the window is on screen (before, it would slow the window down: imports hold the
interpreter), does both in the order a person notices them:

1. waits for the integrity check (already running in C since the launch);
2. on a healthy file, reads the board and Today with the standard library alone
   (services/first_look.py) and hands the read to the window: the pipeline is on screen;
3. imports the database layer, and says so: the GUI thread then opens the database, which
   is quick once the imports are done, and the work queued meanwhile runs.

The thread hands back plain data only (never a Qt object), and the GUI thread joins it
before importing any of these modules itself, so the two never wait on each other's
import locks.
"""

from __future__ import annotations

import importlib
import logging
import threading
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from followthrough.services.clock import utcnow

log = logging.getLogger(__name__)

# What the first reads and the session need beside Qt, in the order they are needed.
DATA_LAYER = (
    "followthrough.services.database",
    "followthrough.services.board_snapshot",
    "followthrough.services.alerts",
    "followthrough.services.backups",
    "followthrough.services.preferences",
    "followthrough.services.leads",
    "followthrough.services.timeline",
    "followthrough.services.undo",
)


class StartupLoader(QObject):
    """Runs the thread above; its signals arrive on the GUI thread."""

    looked = Signal(object)  # a FirstLook: the board and Today as stored
    imported = Signal()  # the database layer is loaded: open the database now

    def __init__(
        self, database: Path, checked: Future[str | None] | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.checked = checked
        self.wanted_look = True
        self._shown = threading.Event()
        self._thread = threading.Thread(target=self._run, name="followthrough-start", daemon=True)

    def start(self, look: bool = True) -> None:
        """Start; without `look`, only the imports (a window nobody sees yet)."""
        self.wanted_look = look
        self._thread.start()

    def join(self) -> None:
        """Wait for the thread (before the GUI thread imports these modules, or exits)."""
        if self._thread.is_alive():
            self._thread.join()

    def look_shown(self) -> None:
        """The first look is on screen: the imports may take the interpreter now."""
        self._shown.set()

    def _run(self) -> None:
        if self.wanted_look and self._look():
            # Importing while the GUI thread builds and paints the cards would slow both
            # down; the person is waiting for the cards. (Bounded: the imports must happen.)
            self._shown.wait(timeout=2.0)
        for name in DATA_LAYER:
            try:
                importlib.import_module(name)
            except Exception:
                log.info("start-up import of %s failed; retried on the GUI thread", name)
                break
        self.imported.emit()

    def _look(self) -> bool:
        """Read and hand over the first look; False when there is none to show."""
        from followthrough.services.first_look import first_look

        try:
            damaged = self.checked is not None and self.checked.result() is not None
        except Exception:
            damaged = True
        if damaged:
            return False  # the session's open explains it and offers a backup
        look = first_look(self.database, utcnow())
        if look is None:
            return False
        self.looked.emit(look)
        return True
