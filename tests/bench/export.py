"""Benchmark exports: a whole pipeline to CSV and to JSON.

    python -m tests.bench.export --leads 100000 --repeat 5

A generated pipeline (leads with their histories) is exported to a temporary folder. The
table shows the median and slowest run in seconds, and the ratio to a baseline measured in
the same run: Python's sqlite3 and csv modules dumping the lead table, no formatting at all.
The target is 3 s or less for each export of 100k leads.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from followthrough.paths import prepare_data_dir
from followthrough.services.export import export_csv, export_json
from followthrough.store.db import Database
from tests.bench.pipelines import generate_pipeline

TARGET_S = 3.0
ROWS = ("baseline", "export_csv", "export_json")


def _baseline(database: Path, out: Path) -> None:
    with (
        closing(sqlite3.connect(database)) as conn,
        out.open("w", encoding="utf-8", newline="") as stream,
    ):
        cursor = conn.execute("SELECT * FROM lead ORDER BY id")
        writer = csv.writer(stream)
        writer.writerow(d[0] for d in cursor.description)
        writer.writerows(cursor)


def bench(n_leads: int, repeat: int, seed: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    with tempfile.TemporaryDirectory(prefix="ft-export-") as tmp:
        folder = Path(tmp)
        now = datetime.now(UTC)
        db = Database.open(prepare_data_dir(folder / "data"), now)
        generate_pipeline(db, n_leads, seed=seed, now=now)
        # One bulk transaction leaves the whole pipeline in the write-ahead log; a database
        # in use has been checkpointed into its main file long before anyone exports it.
        with closing(sqlite3.connect(db.path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        runs = 0

        def target(suffix: str) -> Path:
            nonlocal runs
            runs += 1
            return folder / f"run-{runs}.{suffix}"

        ops: dict[str, Callable[[], object]] = {
            "baseline": lambda: _baseline(db.path, target("base.csv")),
            "export_csv": lambda: export_csv(db, target("csv"), now),
            "export_json": lambda: export_json(db, target("json"), now),
        }
        found: dict[str, list[float]] = {name: [] for name in ROWS}
        for _ in range(repeat):
            for name, op in ops.items():  # interleaved, so all rows see the same noise
                start = time.perf_counter()
                op()
                found[name].append(time.perf_counter() - start)
                for old in folder.glob("run-*"):
                    old.unlink()  # keep the disk use of the run small
        counts = export_json(db, folder / "counts.json", now)
        db.close()
        return found, counts


def report(found: dict[str, list[float]], counts: dict[str, int]) -> str:
    base = statistics.median(found["baseline"])
    shape = ", ".join(f"{n} {section}" for section, n in counts.items())
    lines = [shape, f"{'operation':<14} {'median s':>9} {'max s':>7} {'× baseline':>11}"]
    for name, times in found.items():
        median = statistics.median(times)
        lines.append(f"{name:<14} {median:>9.3f} {max(times):>7.3f} {median / base:>11.1f}")
    slowest = max(statistics.median(found["export_csv"]), statistics.median(found["export_json"]))
    verdict = "met" if slowest <= TARGET_S else "MISSED"
    lines.append(
        f"target: each export ≤ {TARGET_S:g} s median for {counts['leads']} leads: {verdict}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000, help="leads in the pipeline")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    found, counts = bench(args.leads, args.repeat, args.seed)
    print(report(found, counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
