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
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from followthrough.paths import prepare_data_dir
from followthrough.services.calendar.watch import CalendarPass, check_calendar, set_calendar_url
from followthrough.store.db import Database
from tests.bench.pipelines import generate_pipeline
from tests.support.icsserver import STAMP, IcsServer, ics_server
from tests.support.secretservice import secret_service

FULL_TARGET_S = 2.0
IDLE_TARGET_S = 0.2
IDLE_SAMPLES = 5
ZONE = ZoneInfo("Europe/Paris")
ROWS = ("baseline_parse", "full_pass", "baseline_304", "nothing_new")


def calendar_document(emails: list[str], count: int, now: datetime, seed: int) -> bytes:
    """`count` events between a week ago and ninety days ahead, as a busy person's calendar."""
    rng = random.Random(seed)
    parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Followthrough bench//EN\r\n"]
    for i in range(count):
        start = now - timedelta(days=7) + timedelta(minutes=rng.randrange(97 * 24 * 4) * 15)
        people = [f"colleague{rng.randrange(50)}@ourco.example"]
        if i % 5 < 2:
            people.append(rng.choice(emails).upper() if i % 7 == 0 else rng.choice(emails))
        if i % 50 == 0:
            people += [f"guest{n}@conference.example" for n in range(300)]
        attendees = "".join(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{p}\r\n" for p in people)
        repeats = "RRULE:FREQ=WEEKLY;COUNT=8\r\n" if i % 10 == 0 else ""
        parts.append(
            f"BEGIN:VEVENT\r\nUID:bench-{i}@followthrough\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART:{start.strftime(STAMP)}\r\n"
            f"DTEND:{(start + timedelta(minutes=45)).strftime(STAMP)}\r\n"
            f"SUMMARY:Meeting {i}\r\nDESCRIPTION:Agenda for meeting {i}\r\n{repeats}"
            f"{attendees}END:VEVENT\r\n"
        )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode()


def _bare_parse(feed: IcsServer) -> int:
    """The document fetched and parsed, its events walked, nothing kept: the floor."""
    with urllib.request.urlopen(feed.url, timeout=30) as response:  # noqa: S310 (loopback)
        calendar = icalendar.Calendar.from_ical(response.read())
    return sum(1 for _ in calendar.walk("VEVENT"))


def _bare_304(feed: IcsServer, etag: str) -> None:
    request = urllib.request.Request(feed.url, headers={"If-None-Match": etag})  # noqa: S310
    try:
        urllib.request.urlopen(request, timeout=30).close()  # noqa: S310
    except urllib.error.HTTPError as exc:
        if exc.code != 304:
            raise


def _timed(op: Callable[..., object], *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = op(*args)
    return time.perf_counter() - start, result


def bench(
    n_events: int, n_leads: int, repeat: int, seed: int
) -> tuple[dict[str, list[float]], int]:
    found: dict[str, list[float]] = {name: [] for name in ROWS}
    logged = 0
    now = datetime.now(UTC).replace(microsecond=0)
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        secret_service(monkeypatch),
        ics_server() as feed,
        tempfile.TemporaryDirectory(prefix="ft-cal-") as tmp,
    ):
        for round_no in range(repeat):
            db = Database.open(prepare_data_dir(Path(tmp) / f"round-{round_no}"), now)
            generate_pipeline(db, n_leads, seed=seed, now=now - timedelta(days=30))
            if round_no == 0:
                with closing(sqlite3.connect(db.path)) as conn:
                    emails = [row[0] for row in conn.execute("SELECT email FROM lead")]
                feed.document = calendar_document(emails, n_events, now, seed)
            set_calendar_url(db, feed.url, now)
            found["baseline_parse"].append(_timed(_bare_parse, feed)[0])
            took, full = _timed(check_calendar, db, ZONE, now)
            assert isinstance(full, CalendarPass) and full.occurrences
            found["full_pass"].append(took)
            logged = len(full.logged)
            etag = str(db_state_etag(db))
            for sample in range(IDLE_SAMPLES):
                found["baseline_304"].append(_timed(_bare_304, feed, etag)[0])
                later = now + timedelta(minutes=15 * (sample + 1))
                took, idle = _timed(check_calendar, db, ZONE, later)
                assert isinstance(idle, CalendarPass)
                assert not idle.logged and idle.occurrences is None, "found something new"
                found["nothing_new"].append(took)
            db.close()
    return found, logged


def db_state_etag(db: Database) -> str | None:
    from followthrough.services.calendar.watch import calendar_state

    state = calendar_state(db) or {}
    return state.get("etag")


def report(found: dict[str, list[float]], n_events: int, n_leads: int, logged: int) -> str:
    lines = [
        f"{n_events} events, {n_leads} leads, {logged} steps logged per full pass",
        f"{'operation':<15} {'median s':>9} {'max s':>7} {'× baseline':>11}",
    ]
    bases = {"full_pass": "baseline_parse", "nothing_new": "baseline_304"}
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
    args = parser.parse_args(argv)
    found, logged = bench(args.events, args.leads, args.repeat, args.seed)
    print(report(found, args.events, args.leads, logged))
    return 0


if __name__ == "__main__":
    sys.exit(main())
