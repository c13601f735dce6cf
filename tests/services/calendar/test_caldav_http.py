"""What goes wrong between the app and a CalDAV server, each said in one line of its kind —
against small local servers that misbehave on purpose: an untrusted certificate, a redirect
to another company's host, a server error, an answer that is not WebDAV, no server at all.
The password is never in what is said, and never sent where it does not belong."""

from __future__ import annotations

import secrets
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from followthrough.services.calendar.caldav_client import CalDavClient
from followthrough.services.calendar.caldav_http import DavSession
from followthrough.services.calendar.occurrences import CalendarError
from tests.support.components import require_program

PASSWORD = secrets.token_urlsafe(12)


@contextmanager
def answering(
    status: int, body: bytes = b"", location: str = "", tls: Path | None = None
) -> Iterator[tuple[str, list[str]]]:
    """A server answering every request alike; (its address, the Authorization headers
    it was sent)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PROPFIND(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def discover(url: str) -> CalendarError:
    with pytest.raises(CalendarError) as caught, DavSession(url, "me", PASSWORD, 5) as session:
        CalDavClient(session).discover()
    assert PASSWORD not in str(caught.value)
    assert "\n" not in str(caught.value)
    return caught.value


def test_a_redirect_to_another_host_is_not_followed_and_gets_no_password() -> None:
    with answering(301, location="https://caldav.elsewhere.example/dav/") as (url, seen):
        failed = discover(url)
    assert (str(failed), failed.kind) == (
        "the calendar server sent us to caldav.elsewhere.example: "
        "set that address as the server if it is yours",
        "settings",
    )
    assert len(seen) == 1  # the one request to the server given, none anywhere else


def test_a_server_error_and_an_answer_that_is_not_webdav(tmp_path: Path) -> None:
    with answering(500) as (url, _):
        failed = discover(url)
    assert (str(failed), failed.kind) == ("the calendar server said 500", "server")
    with answering(207, b"<html>Sign in</html>") as (url, _):
        failed = discover(url)
    assert (str(failed), failed.kind) == (
        "the calendar server's answer could not be read",
        "server",
    )


def test_no_server_and_an_untrusted_certificate(tmp_path: Path) -> None:
    failed = discover("http://127.0.0.1:9/")
    assert failed.kind == "connection"
    assert str(failed).startswith("the calendar server could not be reached: ")

    openssl = require_program("openssl")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"), "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    with answering(207, tls=tmp_path) as (url, seen):
        failed = discover(url)
    assert failed.kind == "tls"
    assert str(failed).startswith("the calendar server's certificate was refused: ")
    assert seen == []  # the password never left over an untrusted connection
