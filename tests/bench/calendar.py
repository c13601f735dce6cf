"""Benchmark the calendar pass: a first read of a busy calendar, and a pass with nothing new.

    python -m tests.bench.calendar --events 2000 --leads 1000 --repeat 5

A local HTTP server serves a private iCalendar address holding `--events` events over the
window the app reads (a week back, ninety days ahead): two in five have a lead of a generated
pipeline among their attendees, one in ten repeats weekly, one in fifty invites three hundred
people. The address is kept in a real Secret Service, as the app keeps it. Each round opens a
fresh database (so the first pass has everything to log), times one full pass, then passes
with nothing new (the server answers 304). Baselines are measured in the same run,
interleaved: the same document fetched and parsed by icalendar with nothing done with it,
and a bare conditional GET answered 304.
Targets: a full pass ≤ 2 s, a pass with nothing new ≤ 200 ms (medians).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import closing, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from followthrough.paths import prepare_data_dir
from followthrough.services.calendar.watch import (
    CalendarPass,
    calendar_state,
    check_calendar,
    set_calendar_account,
    set_calendar_url,
)
from followthrough.store.db import Database
from tests.bench.pipelines import generate_pipeline
from tests.support.icsserver import STAMP, IcsServer, ics_server
from tests.support.radicale import Radicale, radicale_server
from tests.support.secretservice import secret_service

FULL_TARGET_S = 2.0
IDLE_TARGET_S = 0.2
IDLE_SAMPLES = 5
ZONE = ZoneInfo("Europe/Paris")
ROWS = ("baseline_read", "full_pass", "baseline_ask", "nothing_new")


def event_blocks(emails: list[str], count: int, now: datetime, seed: int) -> list[str]:
    """`count` events between a week ago and ninety days ahead, as a busy person's calendar:
    each a VEVENT block, UIDs bench-0… in order."""
    rng = random.Random(seed)
    blocks = []
    for i in range(count):
        start = now - timedelta(days=7) + timedelta(minutes=rng.randrange(97 * 24 * 4) * 15)
        people = [f"colleague{rng.randrange(50)}@ourco.example"]
        if i % 5 < 2:
            people.append(rng.choice(emails).upper() if i % 7 == 0 else rng.choice(emails))
        if i % 50 == 0:
            people += [f"guest{n}@conference.example" for n in range(300)]
        attendees = "".join(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{p}\r\n" for p in people)
        repeats = "RRULE:FREQ=WEEKLY;COUNT=8\r\n" if i % 10 == 0 else ""
        blocks.append(
            f"BEGIN:VEVENT\r\nUID:bench-{i}@followthrough\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART:{start.strftime(STAMP)}\r\n"
            f"DTEND:{(start + timedelta(minutes=45)).strftime(STAMP)}\r\n"
            f"SUMMARY:Meeting {i}\r\nDESCRIPTION:Agenda for meeting {i}\r\n{repeats}"
            f"{attendees}END:VEVENT\r\n"
        )
    return blocks


def calendar_document(blocks: list[str]) -> bytes:
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Followthrough bench//EN\r\n"
    return (head + "".join(blocks) + "END:VCALENDAR\r\n").encode()


class Source:
    """Where the calendar is served, what the app is told, and the baselines beside it."""

    def __init__(self, caldav: Radicale | None, feed: IcsServer | None) -> None:
        self.caldav, self.feed = caldav, feed
        self.calendar_path = ""

    def fill(self, blocks: list[str]) -> None:
        if self.caldav is not None:
            self.calendar_path = self.caldav.make_calendar("work", "Work")
            for i, block in enumerate(blocks):
                self.caldav.put(self.calendar_path, f"event-{i}", calendar_document([block]))
        else:
            assert self.feed is not None
            self.feed.document = calendar_document(blocks)

    def set_up(self, db: Database, now: datetime) -> None:
        if self.caldav is not None:
            set_calendar_account(db, self.caldav.url, self.caldav.user, self.caldav.password, now)
        else:
            assert self.feed is not None
            set_calendar_url(db, self.feed.url, now)

    def bare_read(self) -> None:
        """Every event fetched and parsed by icalendar, nothing done with them: the floor."""
        if self.caldav is not None:
            body = _dav_request(self.caldav, "REPORT", self.calendar_path, QUERY_ALL, "1")
            for data in re.findall(rb"BEGIN:VCALENDAR.*?END:VCALENDAR", body, re.DOTALL):
                icalendar.Calendar.from_ical(data)
            return
        assert self.feed is not None
        with urllib.request.urlopen(self.feed.url, timeout=30) as response:
            icalendar.Calendar.from_ical(response.read())

    def bare_ask(self, etag: str | None) -> None:
        """One request asking whether anything changed, answered "no": the floor."""
        if self.caldav is not None:
            _dav_request(self.caldav, "PROPFIND", self.calendar_path, GETCTAG, "0")
            return
        assert self.feed is not None
        request = urllib.request.Request(self.feed.url, headers={"If-None-Match": etag or ""})
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except urllib.error.HTTPError as exc:
            if exc.code != 304:
                raise


QUERY_ALL = (
    b'<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    b'<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
    b'<C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>'
)
GETCTAG = (
    b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>'
)


def _dav_request(server: Radicale, method: str, path: str, body: bytes, depth: str) -> bytes:
    token = base64.b64encode(f"{server.user}:{server.password}".encode()).decode()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={
            "Authorization": f"Basic {token}", "Depth": depth,
            "Content-Type": "application/xml; charset=utf-8"})  # fmt: skip
        return connection.getresponse().read()
    finally:
        connection.close()


def _timed(op: Callable[..., object], *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = op(*args)
    return time.perf_counter() - start, result


def bench(
    n_events: int, n_leads: int, repeat: int, seed: int, caldav: bool
) -> tuple[dict[str, list[float]], int]:
    found: dict[str, list[float]] = {name: [] for name in ROWS}
    logged = 0
    now = datetime.now(UTC).replace(microsecond=0)
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        secret_service(monkeypatch),
        radicale_server() if caldav else nullcontext() as server,
        ics_server() as feed,
        tempfile.TemporaryDirectory(prefix="ft-cal-") as tmp,
    ):
        source = Source(server, None if caldav else feed)
        for round_no in range(repeat):
            db = Database.open(prepare_data_dir(Path(tmp) / f"round-{round_no}"), now)
            generate_pipeline(db, n_leads, seed=seed, now=now - timedelta(days=30))
            if round_no == 0:
                with closing(sqlite3.connect(db.path)) as conn:
                    emails = [row[0] for row in conn.execute("SELECT email FROM lead")]
                source.fill(event_blocks(emails, n_events, now, seed))
            source.set_up(db, now)
            found["baseline_read"].append(_timed(source.bare_read)[0])
            took, full = _timed(check_calendar, db, ZONE, now)
            assert isinstance(full, CalendarPass)
            assert full.occurrences
            found["full_pass"].append(took)
            logged = len(full.logged)
            etag = (calendar_state(db) or {}).get("etag")
            for sample in range(IDLE_SAMPLES):
                found["baseline_ask"].append(_timed(source.bare_ask, etag)[0])
                later = now + timedelta(minutes=15 * (sample + 1))
                took, idle = _timed(check_calendar, db, ZONE, later)
                assert isinstance(idle, CalendarPass)
                assert not idle.logged, "a pass with nothing new logged something"
                assert idle.occurrences is None, "a pass with nothing new read something"
                found["nothing_new"].append(took)
            db.close()
    return found, logged


def report(found: dict[str, list[float]], n_events: int, n_leads: int, logged: int) -> str:
    lines = [
        f"{n_events} events, {n_leads} leads, {logged} steps logged per full pass",
        f"{'operation':<15} {'median s':>9} {'max s':>7} {'× baseline':>11}",
    ]
    bases = {"full_pass": "baseline_read", "nothing_new": "baseline_ask"}
    for name, times in found.items():
        median = statistics.median(times)
        base = statistics.median(found[bases.get(name, name)])
        lines.append(f"{name:<15} {median:>9.3f} {max(times):>7.3f} {median / base:>11.1f}")
    full = statistics.median(found["full_pass"])
    idle = statistics.median(found["nothing_new"])
    verdict = "met" if full <= FULL_TARGET_S and idle <= IDLE_TARGET_S else "MISSED"
    lines.append(
        f"target: full pass ≤ {FULL_TARGET_S:g} s and nothing new ≤ {IDLE_TARGET_S:g} s "
        f"median: {verdict}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events in the calendar")
    parser.add_argument("--leads", type=int, default=1000, help="leads in the pipeline")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--caldav", action="store_true",
                        help="a CalDAV account (a local Radicale, one resource per event) "
                        "instead of a private address")  # fmt: skip
    args = parser.parse_args(argv)
    found, logged = bench(args.events, args.leads, args.repeat, args.seed, args.caldav)
    print(
        ("CalDAV account: " if args.caldav else "private address: ")
        + report(found, args.events, args.leads, logged)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
