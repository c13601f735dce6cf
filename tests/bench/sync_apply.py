"""Benchmark applying another device's changes: 10,000 incoming operations onto a big pipeline.

    python -m tests.bench.sync_apply --ops 10000 --repeat 5

Device A (a real database, sync on) works through simulated days with the real services, as
a busy founder would: new leads, edits of their next steps and details, moves, signals logged
one at a time and in the mail watcher's bulk path, alerts raised by the tick and some of
them resolved. Its first `--ops` operations are read as the sync folder carries them
(`ops_after`). Device B already holds a generated pipeline of `--leads` leads of its own,
sync on. Each round copies B's file afresh (every round starts from the same state) and times
`apply_ops` on all operations in one call, then on another copy in chunks of 2,000, as a
sync pass hands them over (folder_sync.APPLY_CHUNK). The baseline, measured in the same run
and interleaved: as many rows written by a plain executemany into a scratch table on the same
disk, in one transaction. When the target is missed, one more apply runs under cProfile and
its top costs are printed.
Target: applying 10,000 operations ≤ 2 s (median).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import SIGNAL_TRAITS, SignalKind
from followthrough.domain.states import State
from followthrough.paths import DataPaths, prepare_data_dir
from followthrough.services import alerts, leads
from followthrough.services.signal_log import SignalEntry, log_signals
from followthrough.services.sync.apply import ApplyReport, apply_ops
from followthrough.services.sync.folder_sync import APPLY_CHUNK
from followthrough.services.sync.record import enable_sync, ops_after, sync_status
from followthrough.store.db import Database
from tests.bench.pipelines import OUR_MOVES, REASONS, STEPS, THEIR_MOVES, generate_pipeline

TARGET_S = 2.0
TARGET_OPS = 10_000  # the size the target speaks of
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # device A's first simulated day
DAYS = 20  # the operations are spread over this many working days
ROWS = ("baseline_rows", "apply_all", "apply_chunks")
SCRATCH = (
    "CREATE TABLE scratch (seq INTEGER PRIMARY KEY, hlc TEXT, tbl TEXT, gid TEXT, kind TEXT, "
    "row TEXT)"
)

Op = dict[str, Any]


@dataclass
class _Day:
    """One day's quotas on device A, scaled so DAYS of them make about `ops` operations.

    Per 100 operations: 5 new leads (each a lead and its arrival event), 14 edits, 4 moves
    (each a lead update and its state event), 12 signals logged one by one and 42 in the
    bulk path; the tick's alerts and the resolutions make the last ~10.
    """

    new: int
    edits: int
    moves: int
    singles: int
    bulk: int

    @classmethod
    def for_ops(cls, ops: int) -> _Day:
        def per_day(share: float) -> int:
            return max(1, round(ops * share / DAYS))

        return cls(per_day(0.05), per_day(0.14), per_day(0.04), per_day(0.12), per_day(0.42))


@dataclass
class DeviceA:
    db: Database
    rng: random.Random
    now: datetime = START
    live: list[int] = field(default_factory=list)  # leads on the board (hot or warm)
    made: int = 0

    def at(self, minutes: float) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    def add(self) -> None:
        self.made += 1
        n = self.made
        step_due = self.now + timedelta(days=self.rng.uniform(1, 6))
        view = leads.add_lead(self.db, NewLead.create(
            name=f"Prospect {n}", now=self.at(2), company=f"Company {n % 300}",
            email=f"prospect{n}@company{n % 300}.example",
            state=self.rng.choice([State.HOT, State.WARM]),
            next_step=self.rng.choice(STEPS), next_step_due=step_due,
            tags=self.rng.sample(["saas", "referral", "inbound", "eu", "us"], 2),
        ), self.now)  # fmt: skip
        self.live.append(view.id)

    def edit(self) -> None:
        lead_id = self.rng.choice(self.live)
        roll = self.rng.random()
        if roll < 0.6:
            due = self.now + timedelta(days=self.rng.uniform(0.5, 5))
            edit = LeadEdit.create(next_step=self.rng.choice(STEPS), next_step_due=due)
        elif roll < 0.8:
            edit = LeadEdit.create(phone=f"+33 6 12 34 {self.rng.randrange(10, 99)} 00")
        else:
            edit = LeadEdit.create(add_tags=[self.rng.choice(["q1", "q2", "enterprise"])])
        leads.edit_lead(self.db, lead_id, edit, self.at(1))

    def move(self) -> None:
        if len(self.live) < 2:
            return
        lead_id = self.live.pop(self.rng.randrange(len(self.live)))
        now = self.at(1)
        state = self.rng.choice([State.RECYCLE, State.WON, State.LOST, State.WARM])
        if state is State.RECYCLE:
            until = now + timedelta(days=self.rng.uniform(20, 90))
            reason = self.rng.choice(REASONS)
            leads.move_lead(self.db, lead_id, state, until=until, reason=reason, now=now)
        else:
            leads.move_lead(self.db, lead_id, state, now=now)
        if state is State.WARM:
            self.live.append(lead_id)  # still on the board (a hot lead cooled, or no change)

    def log_one(self) -> None:
        kind = self.rng.choice(OUR_MOVES + THEIR_MOVES + [SignalKind.NOTE])
        note = "Spoke about the pilot scope" if kind is SignalKind.NOTE else None
        leads.log_event(self.db, self.rng.choice(self.live), kind, note=note, now=self.at(1))

    def log_bulk(self, count: int) -> None:
        """What the mail watcher brings in one pass: mostly mail, sent and received."""
        now = self.at(5)
        entries = []
        for _ in range(count):
            kind = self.rng.choice([SignalKind.SENT, SignalKind.SENT, SignalKind.REPLIED])
            traits = SIGNAL_TRAITS[kind]
            at = now - timedelta(minutes=self.rng.uniform(1, 240))
            lead_id = self.rng.choice(self.live)
            mail = {"mail": {"folder": "INBOX"}}
            entries.append(
                SignalEntry(lead_id, kind, at, traits.direction, traits.channel, payload=mail)
            )
        with self.db.write() as session:
            log_signals(session, entries, now)

    def tick_and_resolve(self) -> None:
        """The engine's tick at the day's end, then the person clears two in five of them."""
        raised = alerts.tick(self.db, self.at(30))
        for alert in raised[: len(raised) * 2 // 5]:
            status = self.rng.choice([AlertStatus.DONE, AlertStatus.DISMISSED])
            alerts.resolve(self.db, alert.id, status, self.at(1))

    def day(self, quota: _Day) -> None:
        self.now = max(self.now, START) + timedelta(hours=14)  # the next morning
        work: list[Callable[[], None]] = (
            [self.edit] * quota.edits + [self.move] * quota.moves + [self.log_one] * quota.singles
        )
        self.rng.shuffle(work)
        for _ in range(quota.new):
            self.add()
        half = len(work) // 2
        for job in work[:half]:
            job()
        self.log_bulk(quota.bulk // 2 or 1)
        for job in work[half:]:
            job()
        self.log_bulk(quota.bulk - quota.bulk // 2 or 1)
        self.tick_and_resolve()


def device_a_ops(folder: Path, n_ops: int, seed: int) -> tuple[list[Op], datetime]:
    """The first `n_ops` operations of device A's simulated days, and when its work ended."""
    db = Database.open(prepare_data_dir(folder), START)
    try:
        enable_sync(db, "Laptop", START)
        device = DeviceA(db, random.Random(seed))
        quota = _Day.for_ops(n_ops)
        while sync_status(db).seq < n_ops:
            device.day(quota)
        return ops_after(db, 0, limit=n_ops), device.now
    finally:
        db.close()


def device_b(folder: Path, n_leads: int, seed: int) -> DataPaths:
    """Device B's data folder: its own pipeline, sync on, closed (its WAL folded in)."""
    paths = prepare_data_dir(folder)
    db = Database.open(paths, START)
    try:
        generate_pipeline(db, n_leads, seed=seed, now=START)
        alerts.tick(db, START)
        enable_sync(db, "Desktop", START)
    finally:
        db.close()
    return paths


def _fresh_copy(source: DataPaths, folder: Path) -> Database:
    shutil.rmtree(folder, ignore_errors=True)
    paths = prepare_data_dir(folder)
    shutil.copyfile(source.database, paths.database)
    return Database.open(paths, START)


def _apply_all(db: Database, ops: list[Op], now: datetime) -> list[ApplyReport]:
    return [apply_ops(db, ops, now)]


def _apply_chunks(db: Database, ops: list[Op], now: datetime) -> list[ApplyReport]:
    return [apply_ops(db, ops[i : i + APPLY_CHUNK], now) for i in range(0, len(ops), APPLY_CHUNK)]


def _timed_apply(
    how: Callable[[Database, list[Op], datetime], list[ApplyReport]],
    source: DataPaths,
    folder: Path,
    ops: list[Op],
    now: datetime,
) -> tuple[float, list[ApplyReport]]:
    db = _fresh_copy(source, folder)
    try:
        start = time.perf_counter()
        reports = how(db, ops, now)
        return time.perf_counter() - start, reports
    finally:
        db.close()


def _baseline(folder: Path, rows: list[tuple[Any, ...]]) -> float:
    """The same number of rows, written plainly in one transaction: the floor."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    with closing(sqlite3.connect(folder / "scratch.sqlite3", isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(SCRATCH)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO scratch VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        return time.perf_counter() - start


@dataclass
class Result:
    times: dict[str, list[float]]
    ops: list[Op]
    reports: dict[str, list[ApplyReport]]  # the last round's, per way of applying
    made_s: float
    pipeline_s: float
    applied_at: datetime  # the `now` each apply is given

    @property
    def worst_s(self) -> float:
        """The slower way of applying, its median, scaled to the size the target names."""
        worst = max(statistics.median(self.times[n]) for n in ("apply_all", "apply_chunks"))
        return worst * TARGET_OPS / len(self.ops)

    @property
    def met(self) -> bool:
        return self.worst_s <= TARGET_S

    def mix(self) -> str:
        counts = Counter(f"{op['tbl']} {op['kind']}" for op in self.ops)
        return ", ".join(f"{name} {n}" for name, n in counts.most_common())


def bench(n_ops: int, n_leads: int, repeat: int, seed: int, tmp: Path) -> Result:
    started = time.perf_counter()
    ops, a_end = device_a_ops(tmp / "device-a", n_ops, seed)
    made_s = time.perf_counter() - started
    started = time.perf_counter()
    source = device_b(tmp / "device-b", n_leads, seed)
    pipeline_s = time.perf_counter() - started
    now = a_end + timedelta(hours=1)  # B syncs after A's day is over
    rows = [(op["seq"], op["hlc"], op["tbl"], op["gid"], op["kind"], json.dumps(op["row"]))
            for op in ops]  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in ROWS}
    reports: dict[str, list[ApplyReport]] = {}
    for _ in range(repeat):
        times["baseline_rows"].append(_baseline(tmp / "scratch", rows))
        for name, how in (("apply_all", _apply_all), ("apply_chunks", _apply_chunks)):
            took, reports[name] = _timed_apply(how, source, tmp / "round", ops, now)
            times[name].append(took)
    return Result(times, ops, reports, made_s, pipeline_s, now)


def report(result: Result, n_leads: int) -> str:
    n = len(result.ops)
    chunks = len(result.reports.get("apply_chunks", []))
    lines = [
        f"{n} operations from device A (made in {result.made_s:.1f} s): {result.mix()}",
        f"device B: {n_leads} leads of its own (built in {result.pipeline_s:.1f} s); "
        f"chunks: {chunks} of up to {APPLY_CHUNK}",
        f"{'operation':<14} {'median s':>9} {'max s':>7} {'ops/s':>8} {'× baseline':>11}",
    ]
    base = statistics.median(result.times["baseline_rows"])
    for name, times in result.times.items():
        median = statistics.median(times)
        lines.append(
            f"{name:<14} {median:>9.3f} {max(times):>7.3f} {n / median:>8.0f} "
            f"{median / base:>11.1f}"
        )
    verdict = "met" if result.met else "MISSED"
    size = "" if n == TARGET_OPS else f" (scaled from {n}: {result.worst_s:.2f} s)"
    lines.append(f"applying {TARGET_OPS:,} operations ≤ {TARGET_S:g} s median: {verdict}{size}")
    return "\n".join(lines)


def profile(source: DataPaths, folder: Path, ops: list[Op], now: datetime, top: int) -> str:
    """One apply of all operations under cProfile: its top costs, by own time and in all."""
    db = _fresh_copy(source, folder)
    profiler = cProfile.Profile()
    try:
        profiler.runcall(apply_ops, db, ops, now)
    finally:
        db.close()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=TARGET_OPS, help="operations to apply")
    parser.add_argument("--leads", type=int, default=10_000, help="device B's own leads")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="profile even when met")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ft-apply-") as folder:
        tmp = Path(folder)
        result = bench(args.ops, args.leads, args.repeat, args.seed, tmp)
        text = report(result, args.leads)
        print(text)
        if args.profile or not result.met:
            print(f"\nprofile of one apply of all {len(result.ops)} operations:")
            source = DataPaths(tmp / "device-b")
            print(profile(source, tmp / "profiled", result.ops, result.applied_at, top=25))
    return 0


if __name__ == "__main__":
    sys.exit(main())
