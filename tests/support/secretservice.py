"""A real Secret Service for tests: gnome-keyring on a private D-Bus session bus.

`secret_service(monkeypatch)` starts a session bus of our own, then
`gnome-keyring-daemon --unlock --components=secrets` on it, fed a throwaway password, with
HOME and XDG_RUNTIME_DIR in a temporary folder (the keyring file lands there, never in the
user's own keyring). The test process's environment points at that bus, and `keyring`'s
backend cache is reset, so `keyring.get_keyring()` is the Secret Service backend on it.
`no_keyring(monkeypatch)` is the opposite: no session bus at all, as on a bare server.
`unlocked_keyring_daemon(daemon, env)` is the daemon alone, on the bus `env` names:
`secret_service` starts it, and so does the real app's desktop (tests/support/desktop.py).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.components import require_program, stop_process
from tests.support.notification_server import private_session_bus

UNLOCK_PASSWORD = b"throwaway-test-keyring"
STARTUP_TIMEOUT = 15.0


def _reset_keyring_backend() -> None:
    """Make keyring choose its backend again, as a new process would."""
    import keyring
    from keyring.backend import get_all_keyring
    from keyring.backends import fail

    # keyring picks its backend once per process; a test changes the environment under it.
    # `get_all_keyring` is cached too: each backend's priority probes the environment.
    with contextlib.suppress(KeyError):  # KeyError: never called yet, nothing to forget
        get_all_keyring.reset()  # type: ignore[attr-defined]
    viable = [backend for backend in get_all_keyring() if backend.priority > 0]
    keyring.set_keyring(max(viable, key=lambda b: b.priority) if viable else fail.Keyring())


@contextmanager
def secret_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Yield the keyring's home folder while a real, unlocked Secret Service runs."""
    daemon = require_program("gnome-keyring-daemon")
    with private_session_bus() as address, tempfile.TemporaryDirectory(prefix="ft-kr-") as home:
        runtime = Path(home) / "run"
        runtime.mkdir(mode=0o700)
        env = {
            **os.environ,
            "DBUS_SESSION_BUS_ADDRESS": address,
            "HOME": home,
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_DATA_HOME": str(Path(home) / "data"),
        }
        with unlocked_keyring_daemon(daemon, env):
            for name in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_DATA_HOME"):
                monkeypatch.setenv(name, env[name])
            _reset_keyring_backend()
            try:
                yield Path(home)
            finally:
                monkeypatch.undo()
                _reset_keyring_backend()


@contextmanager
def unlocked_keyring_daemon(
    daemon: str, env: dict[str, str], log: Path | None = None, timeout: float = STARTUP_TIMEOUT
) -> Iterator[subprocess.Popen[bytes]]:
    """gnome-keyring-daemon (at `daemon`) offering an unlocked Secret Service on the session
    bus `env` names, with its keyring under env's HOME and XDG folders; stopped afterwards.

    Its stderr goes to `log`, or nowhere. `timeout`: how long it may take to be on the bus.
    """
    errors = log.open("w") if log is not None else contextlib.nullcontext(subprocess.DEVNULL)
    with errors as stderr:
        # In the foreground, so the caller owns the process; the password comes on stdin.
        process = subprocess.Popen(
            [daemon, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr, env=env,
        )  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(UNLOCK_PASSWORD)
    process.stdin.close()
    try:
        _wait_for_service(env["DBUS_SESSION_BUS_ADDRESS"], process, timeout)
        yield process
    finally:
        stop_process(process)


def _wait_for_service(address: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Until org.freedesktop.secrets answers on the bus (polled, with a deadline)."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + timeout
    while True:
        with contextlib.closing(open_dbus_connection(address)) as connection:
            if secretstorage.check_service_availability(connection):
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gnome-keyring-daemon did not offer the Secret Service")
        time.sleep(0.05)


@contextmanager
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No session bus and no Secret Service: keyring has no backend to offer."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ft-no-bus")
    monkeypatch.delenv("KEYRING_PROPERTY_PERSISTENCE", raising=False)
    _reset_keyring_backend()
    try:
        yield
    finally:
        monkeypatch.undo()
        _reset_keyring_backend()
