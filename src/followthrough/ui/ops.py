"""Running services off the GUI thread, and telling the views when data changed.

One worker thread does every database operation in order (SQLite has one writer anyway),
so the GUI thread never waits on a query. Results come back through a queued Qt signal and
are handed to the caller's callback on the GUI thread; views refresh on `changed`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from followthrough.errors import FollowthroughError
from followthrough.store.db import Database

T = TypeVar("T")


class Operations(QObject):
    changed = Signal()  # something was written: views re-read what they show
    failed = Signal(str)  # a user-facing message for an operation without its own handler
    _finished = Signal(object)

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="followthrough-db")
        self._pending = 0
        self._closed = False
        # Always queued: a future that is already done runs its callback at once, on the
        # calling thread, and results must never be delivered inside run() itself.
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(
        self,
        work: Callable[[Database], T],
        on_done: Callable[[T], None] | None = None,
        *,
        writes: bool = False,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Run `work(db)` on the worker; call `on_done(result)` back on the GUI thread."""
        if self._closed:
            return  # quitting: a view refreshing on its way out has nothing left to read
        self._pending += 1
        future = self._worker.submit(work, self.db)
        # Called on the worker thread: the signal queues delivery to the GUI thread.
        future.add_done_callback(lambda f: self._finished.emit((f, on_done, on_error, writes)))

    @Slot(object)
    def _deliver(self, packet: tuple[Future[Any], Any, Any, bool]) -> None:
        future, on_done, on_error, writes = packet
        self._pending -= 1
        try:
            result = future.result()
        except FollowthroughError as exc:
            (on_error or self.failed.emit)(str(exc))
            return
        if on_done is not None:
            on_done(result)
        if writes:
            self.changed.emit()

    def shutdown(self) -> None:
        """Finish what is queued (a write must not be lost on quit), then stop the worker."""
        self._closed = True
        self._worker.shutdown(wait=True)
