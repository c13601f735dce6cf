"""A calendar's private address for tests: a local HTTP server serving one iCalendar document
with an ETag (answering 304 when the client already has it), and `ics()` to write one.

`ics_server()` starts it on a free loopback port; the test sets `document` and `status` and
reads `fetches` (the If-None-Match each request carried).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STAMP = "%Y%m%dT%H%M%SZ"


def ics(
    *attendees: str, start: datetime, uid: str = "pilot-1", title: str = "Pilot scope"
) -> bytes:
    """One event an hour long, with a description no one should ever keep."""
    people = "".join(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}\r\n" for a in attendees)
    begins, ends = start.strftime(STAMP), (start + timedelta(hours=1)).strftime(STAMP)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Followthrough tests//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:{begins}\r\nDTEND:{ends}\r\nSUMMARY:{title}\r\n"
        f"DESCRIPTION:Budget is 40k\\, keep it quiet\r\n{people}END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@dataclass
class IcsServer:
    url: str = ""
    document: bytes = b""
    status: int = 200
    fetches: list[str | None] = field(default_factory=list)


@contextmanager
def ics_server(path: str = "/private-abc123/basic.ics") -> Iterator[IcsServer]:
    served = IcsServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.fetches.append(self.headers.get("If-None-Match"))
            if served.status != 200:
                self.send_error(served.status)
                return
            tag = f'"{hashlib.sha256(served.document).hexdigest()[:16]}"'
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("ETag", tag)
            self.end_headers()
            self.wfile.write(served.document)

        def log_message(self, *args: object) -> None:
            pass  # the test output stays the test's

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
