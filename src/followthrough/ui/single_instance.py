"""One app per data folder: a second start brings the running window forward and exits.

The running app holds a lock file in the data folder and listens on a local socket named
after it. A second start finds the lock held, tells the first one over the socket to show
its window, and leaves without ever opening the database. The lock (not the socket) decides
who runs: removing a stale socket is only safe for the process that holds the lock.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

ACTIVATE = b"activate\n"
CONNECT_MS = 2000  # the first app may still be starting up: give it time to listen


def server_name(data_dir: Path) -> str:
    """A socket name for this user and data folder (short: Unix socket paths are capped)."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    folder = str(data_dir.resolve()).encode()
    # Two checksums make a 64-bit name: plenty for the few folders one user runs the app on.
    return f"followthrough-{user}-{zlib.crc32(folder):08x}{zlib.adler32(folder):08x}"


class SingleInstance(QObject):
    activated = Signal()  # another start asked this one to come forward

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self._lock = QLockFile(str(data_dir / "app.lock"))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True: this is the one app (now listening). False: another runs and was told."""
        if not self._lock.tryLock(0):
            self._ask_running_app()
            return False
        QLocalServer.removeServer(self.name)  # a socket left by a crash; the lock is ours
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_connection)
        if not server.listen(self.name):
            # Without the socket a second start cannot reach us, but the lock still keeps it
            # from opening the database: run on.
            return True
        self._server = server
        return True

    def _ask_running_app(self) -> None:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(CONNECT_MS):
            socket.write(QByteArray(ACTIVATE))  # a word for whoever inspects the socket
            socket.waitForBytesWritten(CONNECT_MS)
            socket.disconnectFromServer()

    def _on_connection(self) -> None:
        # Being reached at all is the request: only this app's own second start connects
        # (the socket is private to the user), so nothing needs to be read or parsed.
        assert self._server is not None
        asked = False
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.abort()
            socket.deleteLater()
            asked = True
        if asked:
            self.activated.emit()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()
