"""Slow work that is not a database operation (the network, the keyring), off the GUI thread.

Kept apart from `ops.Operations` on purpose: its single worker runs every database call in
order, and a mail server that takes twenty seconds to time out would hold all of them back.
Each `Background` has a thread of its own; results come back on the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from followthrough.errors import FollowthroughError

T = TypeVar("T")
log = logging.getLogger(__name__)

UNEXPECTED = "something went wrong; the details are in the log"


class Background(QObject):
    _finished = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"followthrough-{name}")
        self._pending = 0
        self._closed = False
        # Queued: a result is never delivered inside run() itself, nor on the worker thread.
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[FollowthroughError], None],
    ) -> bool:
        """Start `work()` on the thread; False when closed (nothing runs, nothing comes back)."""
        if self._closed:
            return False
        self._pending += 1
        future = self._worker.submit(work)
        future.add_done_callback(lambda f: self._finished.emit((f, on_done, on_error)))
        return True

    @Slot(object)
    def _deliver(self, packet: tuple[Future[Any], Any, Any]) -> None:
        future, on_done, on_error = packet
        self._pending -= 1
        if self._closed:
            return  # the owner is going away: its widgets may already be gone
        try:
            result = future.result()
        except FollowthroughError as exc:
            on_error(exc)
            return
        except Exception as exc:  # a bug or a library's own error: say so, keep running
            # Only the type: a library's message could quote what it was given.
            log.error("background work failed: %s", type(exc).__name__)
            on_error(FollowthroughError(UNEXPECTED))
            return
        on_done(result)

    def shutdown(self) -> None:
        """Wait for the work in flight (it may be writing), then stop the thread."""
        self._closed = True
        self._worker.shutdown(wait=True, cancel_futures=True)
