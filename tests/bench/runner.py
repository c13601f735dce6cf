"""Benchmark the everyday operations on pipelines of several sizes.

    python -m tests.bench.runner --sizes 1000 100000 --repeat 5

Each operation is timed many times per round; the table shows the median over all samples,
the 90th percentile, the ratio to a baseline measured in the same run (one plain SQLite
insert + commit on the same disk: what a single durable write costs on this machine now),
and how the median grew from the smallest size to the largest. Machines are shared and
noisy: compare ratios, not raw milliseconds, across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.errors import FollowthroughError
from followthrough.paths import prepare_data_dir
from followthrough.services import lead_queries, leads
from followthrough.store.db import Database
from tests.bench.pipelines import generate_pipeline

SAMPLES_PER_ROUND = 20
Op = Callable[[], object]


ROUND_BUDGET_S = 2.0
MIN_SAMPLES = 3


def _time(op: Op, samples: int) -> list[float]:
    """Up to `samples` timings in ms; slow ops stop after the round's time budget."""
    out: list[float] = []
    deadline = time.perf_counter() + ROUND_BUDGET_S
    while len(out) < samples and (len(out) < MIN_SAMPLES or time.perf_counter() < deadline):
        start = time.perf_counter()
        op()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _baseline_op(folder: Path) -> tuple[Op, Callable[[], None]]:
    conn = sqlite3.connect(folder / "baseline.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")

    def insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES ('x')")
        conn.execute("COMMIT")

    return insert, conn.close


def _operations(db: Database, rng: random.Random, n_leads: int) -> dict[str, Op]:
    now = datetime.now(UTC)
    counter = iter(range(10**9))

    def add() -> None:
        n = next(counter)
        lead = NewLead.create(name=f"Bench Lead {n}", email=f"bench{n}@new.example", now=now)
        leads.add_lead(db, lead, now)

    def log() -> None:
        leads.log_event(db, rng.randint(1, n_leads), SignalKind.SENT, now=datetime.now(UTC))

    def resolve() -> None:
        # By part of a name, the slow path (a scan); generated names repeat, so several
        # leads usually match and the answer is the "which one?" error: same work either way.
        with contextlib.suppress(FollowthroughError):
            lead_queries.resolve_lead(db, "zoë sant")

    return {
        "add": add,
        "log": log,
        "show": lambda: lead_queries.get_lead(db, rng.randint(1, n_leads)),
        "list hot": lambda: lead_queries.list_leads(db, (State.HOT,)),
        "list board": lambda: lead_queries.list_leads(db),
        "search": lambda: lead_queries.list_leads(db, search="kōbō stu"),
        "resolve": resolve,
    }


def bench_size(n_leads: int, repeat: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="ft-bench-") as tmp:
        folder = Path(tmp)
        paths = prepare_data_dir(folder / "data")
        db = Database.open(paths)
        started = time.perf_counter()
        generate_pipeline(db, n_leads, seed=seed, now=datetime.now(UTC))
        generated_s = time.perf_counter() - started
        rng = random.Random(seed)
        baseline, close_baseline = _baseline_op(folder)
        ops = _operations(db, rng, n_leads)
        samples: dict[str, list[float]] = {name: [] for name in ["baseline", *ops]}
        for _ in range(repeat):
            # Interleave the baseline with the operations so both see the same noise.
            samples["baseline"] += _time(baseline, SAMPLES_PER_ROUND)
            for name, op in ops.items():
                samples[name] += _time(op, SAMPLES_PER_ROUND)
        close_baseline()
        db.close()
        size_mb = sum(f.stat().st_size for f in paths.root.iterdir() if f.is_file()) / 1e6
        return {"n": n_leads, "generate_s": generated_s, "db_mb": size_mb, "samples": samples}


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def render(results: list[dict[str, object]]) -> str:
    lines = [f"{'op':<12}{'leads':>9}{'median ms':>12}{'p90 ms':>10}{'× baseline':>12}"]
    for result in results:
        samples = result["samples"]
        assert isinstance(samples, dict)
        base = _median(samples["baseline"])
        for name, values in samples.items():
            ratio = _median(values) / base if base else float("nan")
            lines.append(f"{name:<12}{result['n']:>9,}{_median(values):>12.3f}"
                         f"{_p90(values):>10.3f}{ratio:>12.1f}")  # fmt: skip
    if len(results) > 1:
        small, large = results[0], results[-1]
        lines.append("")
        lines.append(f"growth of the median from {small['n']:,} to {large['n']:,} leads:")
        for name in small["samples"]:  # type: ignore[attr-defined]
            growth = _median(large["samples"][name]) / _median(small["samples"][name])  # type: ignore[index]
            lines.append(f"  {name:<12}{growth:>8.2f}×")
    lines.append("")
    for result in results:
        lines.append(f"{result['n']:>9,} leads: generated in {result['generate_s']:.1f} s, "
                     f"database {result['db_mb']:.1f} MB")  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"peak memory (RSS) of the run: {peak_mb:.0f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.runner")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--repeat", type=int, default=5, help="rounds of samples per op")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write raw samples here")
    args = parser.parse_args(argv)
    results = [bench_size(n, args.repeat, args.seed) for n in sorted(args.sizes)]
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
