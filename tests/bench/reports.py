"""Benchmark the Insights reports on a large pipeline, and the Insights window opening.

    python -m tests.bench.reports --repeat 5
    python -m tests.bench.reports --data-dir /tmp/ft-big --repeat 5 --window

The database (tests/bench/bigpipeline.py: 100,000 leads, about 1,000,000 events and
200,000 alerts over the year before it was built) is built in a temporary folder, or once in
--data-dir, which a later run reuses as it is (rebuild it after a few days: the periods are
read back from today, as the app reads them). Each report in the catalog is built over its default
period (`build_report`), --repeat times; the table shows the median, the 90th percentile,
the ratio to a baseline measured in the same run (`SELECT count(*) FROM lead`: what one
full pass over an index costs on this machine now) and PASS/FAIL against the target of
300 ms. With --window it also opens the Insights window on that data (offscreen) and times
it to the first full paint of its first page, against 500 ms. Machines are shared and noisy:
compare ratios across runs, not raw milliseconds.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import text

from followthrough.domain.period import Period
from followthrough.paths import prepare_data_dir
from followthrough.services.clock import local_zone
from followthrough.services.insights.catalog import REPORTS, build_report
from followthrough.store.db import Database
from tests.bench.bigpipeline import build_big_pipeline

REPORT_TARGET_MS = 300.0
WINDOW_TARGET_MS = 500.0
WINDOW_MODULE = "followthrough.ui.insights.window"


def _time(op: Callable[[], object], repeat: int) -> list[float]:
    out: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        op()
        out.append((time.perf_counter() - start) * 1000)
    return out


def prepare(data_dir: Path, leads: int, seed: int, now: datetime) -> str:
    """Build the pipeline in `data_dir` unless a database is there already; say which."""
    if prepare_data_dir(data_dir).database.exists():
        return f"reused {data_dir}"
    built = build_big_pipeline(data_dir, now=now, leads=leads, seed=seed)
    return (
        f"built {built.leads:,} leads, {built.events:,} events, {built.alerts:,} alerts "
        f"in {built.seconds:.1f} s ({built.megabytes:.0f} MB) in {data_dir}"
    )


def bench_reports(db: Database, repeat: int, now: datetime) -> dict[str, list[float]]:
    zone = local_zone()

    def baseline() -> None:
        with db.read() as session:
            session.execute(text("SELECT count(*) FROM lead")).scalar_one()

    samples: dict[str, list[float]] = {"baseline": []}
    samples.update({spec.key.value: [] for spec in REPORTS})
    for _ in range(repeat):
        # Interleaved, so the baseline and the reports see the same noise.
        samples["baseline"] += _time(baseline, 1)
        for spec in REPORTS:
            period = Period.last(spec.default_days, now)
            samples[spec.key.value] += _time(partial(build_report, db, spec.key, period, zone), 1)
    return samples


def bench_window(data_dir: Path, repeat: int) -> list[float] | str:
    """Opening the Insights window to its first page painted, or why it was not measured."""
    try:
        found = importlib.util.find_spec(WINDOW_MODULE) is not None
    except ModuleNotFoundError:  # not even its package
        found = False
    if not found:
        return f"skipped: {WINDOW_MODULE} is not there yet (the Insights window)"
    from tests.bench.reports_window import time_window_open

    return time_window_open(data_dir, repeat)


def render(samples: dict[str, list[float]], window: list[float] | str | None, repeat: int) -> str:
    base = statistics.median(samples["baseline"])
    lines = [f"{'report':<12}{'median ms':>11}{'p90 ms':>9}{'× baseline':>12}{'target':>9}  result"]

    def row(name: str, values: list[float], target: float | None) -> None:
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
        verdict = "" if target is None else ("PASS" if median <= target else "FAIL")
        shown = "" if target is None else f"{target:.0f}"
        lines.append(
            f"{name:<12}{median:>11.2f}{p90:>9.2f}{median / base:>12.1f}{shown:>9}  {verdict}"
        )

    for name, values in samples.items():
        row(name, values, None if name == "baseline" else REPORT_TARGET_MS)
    if not REPORTS:
        lines.append("(no report in services/insights/catalog.REPORTS yet: baseline only)")
    if isinstance(window, list):
        row("window", window, WINDOW_TARGET_MS)
    elif isinstance(window, str):
        lines.append(f"window: {window}")
    lines.append(f"(median of {repeat} runs; baseline = SELECT count(*) FROM lead)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.reports")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--data-dir", type=Path, help="reuse (or build once) this data folder")
    parser.add_argument("--window", action="store_true", help="also time the Insights window")
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="ft-reports-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        print(prepare(data_dir, args.leads, args.seed, now), flush=True)
        db = Database.open(prepare_data_dir(data_dir))
        try:
            samples = bench_reports(db, args.repeat, now)
        finally:
            db.close()
        window = bench_window(data_dir, args.repeat) if args.window else None
        print(render(samples, window, args.repeat))
    slow = [
        k for k, v in samples.items() if k != "baseline" and statistics.median(v) > REPORT_TARGET_MS
    ]
    if isinstance(window, list) and statistics.median(window) > WINDOW_TARGET_MS:
        slow.append("window")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
