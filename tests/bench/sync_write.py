"""Benchmark what recording for sync adds to one edit, on a realistic pipeline.

    python -m tests.bench.sync_write --leads 10000 --edits 200

Times single edits through the services (a lead's next step, a lead's name), each its own
transaction as the app makes it, with sync off and on, alternating rounds in the same run on
the same database so disk and cache are alike. The target: recording adds at most 1 ms to the
median edit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from followthrough.domain.leads import LeadEdit
from followthrough.domain.states import State
from followthrough.paths import prepare_data_dir
from followthrough.services import leads
from followthrough.services.sync.record import disable_sync, enable_sync, sync_status
from followthrough.store.db import Database
from followthrough.store.models import Lead
from tests.bench.pipelines import generate_pipeline

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TARGET_MS = 1.0
ROUNDS = 4  # off, on, off, on...: drift over the run falls on both sides alike


@dataclass(frozen=True)
class EditTimes:
    kind: str
    off_ms: list[float]
    on_ms: list[float]

    @property
    def added_ms(self) -> float:
        return statistics.median(self.on_ms) - statistics.median(self.off_ms)


def _board_ids(db: Database) -> list[int]:
    with db.read() as session:
        states = [State.HOT.value, State.WARM.value]
        return [i for i in session.exec(select(Lead.id).where(col(Lead.state).in_(states))) if i]


def _edits(db: Database, ids: list[int], seed: int) -> dict[str, Callable[[int], None]]:
    rng = random.Random(seed)

    def next_step(n: int) -> None:
        due = NOW + timedelta(days=1 + n % 5)
        leads.set_next_step(db, rng.choice(ids), f"Call back ({n})", due, NOW)

    def name(n: int) -> None:
        leads.edit_lead(db, rng.choice(ids), LeadEdit.create(name=f"Ana Silva {n}"), NOW)

    return {"next step": next_step, "name": name}


def _set_recording(db: Database, on: bool) -> None:
    if on:
        enable_sync(db, "Bench", NOW)
    else:
        disable_sync(db)


def measure(db: Database, edits: int, seed: int = 7) -> list[EditTimes]:
    """Median-ready timings of `edits` edits of each kind, half with sync off, half on."""
    ids = _board_ids(db)
    enable_sync(db, "Bench", NOW)  # gids and stamps for every row, once, before timing
    results: list[EditTimes] = []
    counter = 0
    for kind, edit in _edits(db, ids, seed).items():
        times: dict[bool, list[float]] = {False: [], True: []}
        for round_no in range(ROUNDS):
            on = round_no % 2 == 1
            _set_recording(db, on)
            for _ in range(edits // ROUNDS):
                counter += 1
                start = time.perf_counter()
                edit(counter)
                times[on].append((time.perf_counter() - start) * 1000)
        results.append(EditTimes(kind, times[False], times[True]))
    disable_sync(db)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=200, help="per kind, off and on together")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(prepare_data_dir(Path(tmp) / "data"), NOW)
        try:
            started = time.perf_counter()
            generate_pipeline(db, args.leads, seed=1, now=NOW)
            print(f"pipeline of {args.leads} leads in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            results = measure(db, args.edits)
            seq = sync_status(db).seq
        finally:
            db.close()
    print(f"(enable_sync and the timed edits: {time.perf_counter() - started:.1f} s, {seq} ops)")
    print(f"{'edit':<10} {'off ms':>8} {'on ms':>8} {'added ms':>9}")
    worst = 0.0
    for r in results:
        off, on = statistics.median(r.off_ms), statistics.median(r.on_ms)
        print(f"{r.kind:<10} {off:>8.2f} {on:>8.2f} {r.added_ms:>9.3f}")
        worst = max(worst, r.added_ms)
    verdict = "ok" if worst <= TARGET_MS else "OVER"
    print(f"target: at most +{TARGET_MS:.1f} ms per edit: {verdict}")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
