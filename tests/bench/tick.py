"""Benchmark the engine: one tick with 100 leads due, on pipelines of growing size.

    python -m tests.bench.tick --sizes 1000 10000 100000 --due 100 --repeat 5

A tick must cost what the due leads cost, not what the pipeline holds: the table shows the
median tick per size and its ratio to the smallest size. It also times re-planning one lead
(alone, and as part of an edit), and a baseline (one plain SQLite insert and commit on the
same disk) measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col, select

from followthrough.domain.states import State
from followthrough.paths import prepare_data_dir
from followthrough.services import alerts, leads
from followthrough.services.planning import replan
from followthrough.services.policy import load_policy
from followthrough.store.db import Database
from followthrough.store.models import Lead
from tests.bench.pipelines import generate_pipeline
from tests.bench.runner import _baseline_op, _time


def _board_ids(db: Database) -> list[int]:
    with db.read() as session:
        states = [State.HOT.value, State.WARM.value]
        return [i for i in session.exec(select(Lead.id).where(col(Lead.state).in_(states))) if i]


def _make_due(db: Database, ids: list[int], now: datetime) -> None:
    with db.write() as session:
        session.execute(
            update(Lead)
            .where(col(Lead.id).in_(ids))
            .values(next_check_at=now - timedelta(seconds=1))
        )


def bench_size(n: int, due: int, repeat: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="ft-tick-") as tmp:
        db = Database.open(prepare_data_dir(Path(tmp) / "data"))
        now = datetime.now(UTC)
        generate_pipeline(db, n, seed=seed, now=now)
        # The first tick after an import looks at everything once (timed apart); after that a
        # tick looks only at the leads whose moment has come: the steady state measured here.
        with db.write() as session:
            session.execute(update(Lead).values(next_check_at=now))
        start = time.perf_counter()
        alerts.tick(db, now)
        first_tick_ms = (time.perf_counter() - start) * 1000
        board = _board_ids(db)
        baseline, close_baseline = _baseline_op(Path(tmp))
        samples: dict[str, list[float]] = {
            "baseline": [], "tick": [], "replan": [], "edit": [], "first tick": [first_tick_ms],
        }  # fmt: skip
        for _ in range(repeat):
            samples["baseline"] += _time(baseline, 20)
            for _ in range(5):
                _make_due(db, rng.sample(board, due), now)
                start = time.perf_counter()
                alerts.tick(db, now)
                samples["tick"].append((time.perf_counter() - start) * 1000)
            for _ in range(20):
                lead_id = rng.choice(board)
                with db.write() as session:
                    lead = session.get(Lead, lead_id)
                    assert lead is not None
                    policy = load_policy(session)
                    start = time.perf_counter()
                    replan(session, lead, now, policy)
                    samples["replan"].append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                leads.set_next_step(db, lead_id, "Bench step", now + timedelta(days=2), now)
                samples["edit"].append((time.perf_counter() - start) * 1000)
        close_baseline()
        db.close()
    return samples


def render(results: dict[int, dict[str, list[float]]], due: int) -> str:
    sizes = sorted(results)
    first = sizes[0]
    lines = [
        f"{'op':<10}{'leads':>9}{'median ms':>12}{'p90 ms':>10}{'× baseline':>12}{'× ' + f'{first:,}':>12}"
    ]
    for n in sizes:
        base = statistics.median(results[n]["baseline"])
        for op, values in results[n].items():
            median = statistics.median(values)
            p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
            growth = median / statistics.median(results[first][op])
            lines.append(
                f"{op:<10}{n:>9,}{median:>12.3f}{p90:>10.3f}{median / base:>12.1f}{growth:>12.2f}"
            )
    lines.append(f"(tick: {due} leads due each time; edit = set_next_step, which re-plans)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.tick")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    results = {n: bench_size(n, args.due, args.repeat, args.seed) for n in sorted(args.sizes)}
    print(render(results, args.due))
    return 0


if __name__ == "__main__":
    sys.exit(main())
