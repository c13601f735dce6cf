"""Desktop notifications sent from an asyncio loop of their own, answered through Qt signals.

desktop-notifier speaks D-Bus through asyncio, and Qt's own asyncio integration cannot carry
D-Bus traffic, so the notifier lives on a daemon thread running a plain event loop. The GUI
thread only schedules work on it; what comes back (a click, a button, "no server") is a
signal emitted from that thread, which Qt queues to the receivers on the GUI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from desktop_notifier import Button, DesktopNotifier, Icon, Notification
from PySide6.QtCore import QObject, Signal

from followthrough.domain.announce import Announcement

log = logging.getLogger(__name__)

APP_NAME = "Followthrough"
CLICKED = "default"  # the action key of a click on the notification itself
ANSWER_TIMEOUT = 5.0  # seconds a notification server gets to answer before it counts as gone
STOP_TIMEOUT = 5.0

NO_SERVICE = "no notification service is running"
NO_BUS = "no desktop session bus was found"
NO_ANSWER = "the notification service does not answer"


class NotificationBridge(QObject):
    activated = Signal(object, str)  # Announcement, CLICKED or the key of the button pressed
    sent = Signal(object)  # Announcement: the server took it
    availability = Signal(bool, str)  # usable?, and if not, why (a phrase for a sentence)

    def __init__(self, icon: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icon = Icon(path=icon) if icon is not None else None
        self._notifier: DesktopNotifier | None = None  # touched on the loop thread only
        self._available: bool | None = None  # likewise
        self._connecting = asyncio.Lock()  # a probe and a send must not connect twice
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="followthrough-notify", daemon=True
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._loop.is_closed()

    def probe(self) -> None:
        """Find out whether a notification server answers; the answer is `availability`."""
        self._submit(self._probe())

    def send(self, announcement: Announcement, buttons: Sequence[tuple[str, str]] = ()) -> None:
        """Show `announcement` with buttons given as (key, label); returns at once."""
        self._submit(self._send(announcement, tuple(buttons)))

    def shutdown(self) -> None:
        """Close the D-Bus connection and stop the loop thread (at quit; safe to repeat)."""
        if not self.running:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(STOP_TIMEOUT)
        except Exception:  # quitting goes on whatever the bus says
            log.warning("closing desktop notifications failed", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(STOP_TIMEOUT)
        if not self._thread.is_alive():
            self._loop.close()

    # --- on the loop thread --------------------------------------------------------------

    def _submit(self, work: Any) -> None:
        if not self.running:
            work.close()  # after shutdown: nothing to send it with
            return
        future: Future[None] = asyncio.run_coroutine_threadsafe(work, self._loop)
        future.add_done_callback(_log_failure)

    async def _probe(self) -> None:
        await self._connected()

    async def _connected(self) -> DesktopNotifier | None:
        """The notifier, once its server has answered; None (and `availability`) if not."""
        async with self._connecting:
            return await self._connect()

    async def _connect(self) -> DesktopNotifier | None:
        notifier = self._notifier or DesktopNotifier(app_name=APP_NAME, app_icon=self._icon)
        try:
            await asyncio.wait_for(notifier.get_capabilities(), ANSWER_TIMEOUT)
        except Exception as exc:  # whatever the platform raises, it means "not now"
            await self._forget(notifier)
            self._set_available(False, reason_for(exc))
            return None
        self._notifier = notifier
        self._set_available(True, "")
        return notifier

    async def _send(self, announcement: Announcement, buttons: tuple[tuple[str, str], ...]) -> None:
        notifier = await self._connected()
        if notifier is None:
            return
        dispatched = threading.Event()
        notification = Notification(
            announcement.title,
            announcement.body,
            buttons=tuple(
                Button(label, identifier=key, on_pressed=self._pressed(announcement, key))
                for key, label in buttons
            ),
            on_clicked=self._pressed(announcement, CLICKED),
            on_dispatched=dispatched.set,
        )
        # desktop-notifier logs a failed send instead of raising: on_dispatched tells.
        await notifier.send_notification(notification)
        if dispatched.is_set():
            self.sent.emit(announcement)
        else:
            await self._forget(notifier)
            self._set_available(False, NO_ANSWER)

    def _pressed(self, announcement: Announcement, key: str) -> Any:
        return lambda: self.activated.emit(announcement, key)

    def _set_available(self, available: bool, reason: str) -> None:
        if available != self._available:
            self._available = available
            self.availability.emit(available, reason)

    async def _forget(self, notifier: DesktopNotifier) -> None:
        # The D-Bus backend keeps its connection as `bus` and never closes it; a notifier
        # that failed is dropped, so its connection must not outlive it.
        bus = getattr(getattr(notifier, "_backend", None), "bus", None)
        if bus is not None:
            with contextlib.suppress(Exception):  # already closed by the other side
                bus.disconnect()
        if notifier is self._notifier:
            self._notifier = None

    async def _close(self) -> None:
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if self._notifier is not None:
            await self._forget(self._notifier)


def reason_for(exc: BaseException) -> str:
    """Why notifications cannot be shown, as a phrase that completes a sentence."""
    name = getattr(exc, "type", None)  # a D-Bus error's name
    if name in (
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
    ):
        return NO_SERVICE
    if isinstance(exc, TimeoutError):
        return NO_ANSWER
    if isinstance(exc, OSError | ValueError):  # no address, no socket, connection refused
        return NO_BUS
    return str(exc) or type(exc).__name__


def _log_failure(future: Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("desktop notification failed", exc_info=future.exception())
