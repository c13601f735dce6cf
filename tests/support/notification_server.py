"""A real desktop notification server on a private D-Bus session bus, for tests.

`private_session_bus()` starts a `dbus-daemon` of our own (no service activation, so no
notification daemon installed on the machine can answer in our place) and yields its
address. `NotificationServer` owns the name org.freedesktop.Notifications on that bus and
records every Notify call, from its own asyncio loop thread, as a desktop would.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from dbus_fast import BusType, RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusDict, DBusInt32, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.service import ServiceInterface, dbus_method, dbus_signal

from tests.support.components import require_program

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CLOSED_BY_CALL = 3
STARTUP_TIMEOUT = 10.0

StrList = Annotated[list[str], DBusSignature("as")]
ServerInfo = Annotated[list[str], DBusSignature("ssss")]
ActionArgs = Annotated[list[Any], DBusSignature("us")]
ClosedArgs = Annotated[list[int], DBusSignature("uu")]

# Only what the test needs: a bus that listens and lets anyone own and call anything.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextmanager
def private_session_bus() -> Iterator[str]:
    """Start a session bus nobody else uses; yield its address; stop it afterwards."""
    daemon = require_program("dbus-daemon")
    # A short folder of our own: a socket path must fit in 108 bytes.
    with tempfile.TemporaryDirectory(prefix="ft-bus-") as folder:
        config = Path(folder) / "bus.conf"
        config.write_text(BUS_CONFIG.format(folder=folder))
        errors = Path(folder) / "bus.log"  # its complaints (e.g. about fd limits) stay here
        with errors.open("w") as log:
            process = subprocess.Popen(
                [daemon, f"--config-file={config}", "--nofork", "--print-address"],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        try:
            assert process.stdout is not None
            address = process.stdout.readline().strip()  # printed once it listens
            if not address:
                process.wait(timeout=10)
                raise RuntimeError(f"dbus-daemon did not start: {errors.read_text().strip()}")
            yield address
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()


@dataclass(frozen=True)
class NotifyCall:
    id: int
    app_name: str
    summary: str
    body: str
    actions: tuple[str, ...]  # key, label, key, label...
    hints: dict[str, Any]

    @property
    def action_labels(self) -> dict[str, str]:
        """label → key, as the user sees the buttons."""
        pairs = zip(self.actions[::2], self.actions[1::2], strict=True)
        return {label: key for key, label in pairs}


class _Notifications(ServiceInterface):
    def __init__(self, server: NotificationServer) -> None:
        super().__init__(NAME)
        self._server = server

    @dbus_method()
    def GetCapabilities(self) -> StrList:
        return ["actions", "body"]

    @dbus_method()
    def GetServerInformation(self) -> ServerInfo:
        return ["Test notifications", "followthrough tests", "1.0", "1.2"]

    @dbus_method()
    def Notify(
        self,
        app_name: DBusStr,
        replaces_id: DBusUInt32,
        app_icon: DBusStr,
        summary: DBusStr,
        body: DBusStr,
        actions: StrList,
        hints: DBusDict,
        expire_timeout: DBusInt32,
    ) -> DBusUInt32:
        return self._server.record(app_name, summary, body, actions, hints)

    @dbus_method()
    # No return annotation: dbus-fast reads "None" as a signature, and this call has no reply.
    def CloseNotification(self, id: DBusUInt32):  # type: ignore[no-untyped-def]
        self.NotificationClosed(id, CLOSED_BY_CALL)

    @dbus_signal()
    def ActionInvoked(self, id: int, action_key: str) -> ActionArgs:
        return [id, action_key]

    @dbus_signal()
    def NotificationClosed(self, id: int, reason: int) -> ClosedArgs:
        return [id, reason]


class NotificationServer:
    """org.freedesktop.Notifications on `address`, run on a loop thread of its own."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._lock = threading.Lock()
        self._calls: list[NotifyCall] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="test-notification-server", daemon=True
        )
        self._interface = _Notifications(self)
        self._bus: MessageBus | None = None

    @property
    def calls(self) -> list[NotifyCall]:
        with self._lock:
            return list(self._calls)

    def record(
        self, app_name: str, summary: str, body: str, actions: list[str], hints: dict[str, Any]
    ) -> int:
        with self._lock:
            call = NotifyCall(
                len(self._calls) + 1, app_name, summary, body, tuple(actions), dict(hints)
            )
            self._calls.append(call)
            return call.id

    def start(self) -> None:
        self._thread.start()
        self._wait(self._serve())

    def stop(self) -> None:
        if self._bus is not None:
            self._wait(self._disconnect())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=STARTUP_TIMEOUT)
        self._loop.close()

    def invoke_action(self, notification_id: int, action_key: str) -> None:
        """What a desktop sends when the user clicks a button (or the body: 'default')."""
        self._loop.call_soon_threadsafe(self._interface.ActionInvoked, notification_id, action_key)

    async def _serve(self) -> None:
        self._bus = await MessageBus(bus_address=self.address, bus_type=BusType.SESSION).connect()
        self._bus.export(PATH, self._interface)
        reply = await self._bus.request_name(NAME)
        assert reply == RequestNameReply.PRIMARY_OWNER, reply

    async def _disconnect(self) -> None:
        assert self._bus is not None
        self._bus.disconnect()
        await self._bus.wait_for_disconnect()

    def _wait(self, work: Any) -> None:
        done: Future[None] = asyncio.run_coroutine_threadsafe(work, self._loop)
        done.result(timeout=STARTUP_TIMEOUT)


@contextmanager
def notification_server(address: str) -> Iterator[NotificationServer]:
    server = NotificationServer(address)
    server.start()
    try:
        yield server
    finally:
        server.stop()
