"""A real CalDAV server for tests: Radicale on loopback, with an account and calendars made
over CalDAV itself (MKCALENDAR, PUT, DELETE), as a calendar app would make them.

`radicale_server()` writes a config of its own into a temporary folder (no system or user
config is read), an htpasswd file with one user and a password generated for this run, and
starts `python -m radicale` on a free port; it waits until the server answers. The storage
folder outlives `stop()`/`start()`, so a test can restart the server with its calendars.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.components import stop_process

USER = "founder"
STARTUP_TIMEOUT = 20.0
STAMP = "%Y%m%dT%H%M%SZ"

CONFIG = """\
[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {root}/users
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = {root}/collections
[web]
type = none
[logging]
level = info
"""
# Each request is logged before it is answered: "REPORT request for '/founder/work/' with
# depth '1' received from 127.0.0.1 using 'Followthrough' HTTP/1.1".
_LOGGED = re.compile(r"(\w+) request for '([^']*)'(?: with depth '(\w+)')? received from .*?"
                     r"using 'Followthrough'")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def event(
    uid: str,
    *attendees: str,
    start: datetime,
    title: str = "Pilot scope",
    hours: float = 1,
    extra: str = "",
) -> str:
    """One VEVENT in UTC with a description no one should keep; `extra`: more lines."""
    people = "".join(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}\r\n" for a in attendees)
    ends = start + timedelta(hours=hours)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:{start.strftime(STAMP)}\r\nDTEND:{ends.strftime(STAMP)}\r\n"
        f"SUMMARY:{title}\r\nDESCRIPTION:Budget is 40k\\, keep it quiet\r\n"
        f"ORGANIZER:mailto:founder@example.com\r\n{people}{extra}END:VEVENT\r\n"
    )


def calendar(*components: str) -> bytes:
    body = "".join(components)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Followthrough tests//EN\r\n{body}"
        "END:VCALENDAR\r\n"
    ).encode()


class Radicale:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.user = USER
        self.password = secrets.token_urlsafe(18)  # this run's only; in no file in the tree
        (root / "collections").mkdir(parents=True, exist_ok=True)
        (root / "users").write_text(f"{self.user}:{self.password}\n")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        said = ""
        for _attempt in range(3):
            (self.root / "config").write_text(CONFIG.format(root=self.root, port=self.port))
            errors = self.root / "radicale.stderr"
            with errors.open("ab") as err:  # appended: the log of every start, for app_requests
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "radicale", "--config", str(self.root / "config")],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                    env={**os.environ, "HOME": str(self.root)},  # no ~/.config/radicale
                )  # fmt: skip
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not self._answering():
                exited = self.process.poll() is not None
                if exited or time.monotonic() > deadline:
                    said = errors.read_text(errors="replace").strip()[-2000:]
                    self.stop()
                    if not exited:
                        raise RuntimeError(f"radicale did not answer in {STARTUP_TIMEOUT:g} s")
                    break  # exited at once: most likely the port was taken meanwhile
                time.sleep(0.05)  # polling the port until it answers (a bounded wait)
            else:
                return
            self.port = _free_port()
        raise RuntimeError(f"radicale did not start: {said}")

    def app_requests(self) -> list[tuple[str, str, str]]:
        """(method, path, depth) of every request the app sent, in order (Radicale's log)."""
        log = (self.root / "radicale.stderr").read_text(errors="replace")
        return [(m[1], m[2], m[3] or "") for m in _LOGGED.finditer(log)]

    def stop(self) -> None:
        process = getattr(self, "process", None)
        if process is not None:
            stop_process(process, grace=STARTUP_TIMEOUT)

    def _answering(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=0.5)
            connection.request("OPTIONS", "/")
            connection.getresponse().read()
            connection.close()
        except OSError:
            return False
        return True

    # --- what a calendar app does -------------------------------------------------------

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> int:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body,
                               headers={"Authorization": f"Basic {token}", **(headers or {})})  # fmt: skip
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {response.reason}")
        return response.status

    def make_calendar(self, name: str, title: str, components: str = "VEVENT") -> str:
        """A calendar (MKCALENDAR) of this user; its path."""
        path = f"/{self.user}/{name}/"
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
            f"<D:displayname>{title}</D:displayname><C:supported-calendar-component-set>"
            f'<C:comp name="{components}"/></C:supported-calendar-component-set>'
            "</D:prop></D:set></C:mkcalendar>"
        ).encode()
        self.request("MKCALENDAR", path, body, {"Content-Type": "application/xml"})
        return path

    def put(self, calendar_path: str, name: str, document: bytes) -> None:
        """Create or replace the event resource `name`.ics in the calendar."""
        self.request("PUT", f"{calendar_path}{name}.ics", document,
                     {"Content-Type": "text/calendar; charset=utf-8"})  # fmt: skip

    def delete(self, calendar_path: str, name: str) -> None:
        self.request("DELETE", f"{calendar_path}{name}.ics")


@contextmanager
def radicale_server() -> Iterator[Radicale]:
    """A started Radicale in a folder of its own; stopped and removed afterwards."""
    _require_radicale()
    root = Path(tempfile.mkdtemp(prefix="ft-caldav-"))
    server = Radicale(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _require_radicale() -> None:
    """Skipped where Radicale is missing, failed under CI (which installs the test extra)."""
    try:
        import radicale  # noqa: F401
    except ImportError:
        message = "radicale is not installed (pip install -e '.[test]')"
    else:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)
