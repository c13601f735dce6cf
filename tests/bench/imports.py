"""Benchmark the CSV import: a large spreadsheet into a fresh database.

    python -m tests.bench.imports --rows 100000 --repeat 5

Each run happens in a child process of its own, on a fresh data folder, so its memory
figure is honest: the growth of the peak resident size (VmHWM, reset just before the
operation) over the resident size just before it. Two baselines run the same way on the
same file: reading it with the csv module alone, and inserting its raw cells into a bare
table with one executemany. The targets are a median of 5 s or less for `import_csv` and
a memory growth of 50 MB or less.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path

from tests.support.bigcsv import HEADER, write_leads_csv

TARGET_S = 5.0
TARGET_MB = 50.0
ROWS = ("csv.reader", "executemany", "import_csv")
_ROOT = Path(__file__).resolve().parents[2]


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    # Writing 5 resets VmHWM to the current RSS (Linux 4.0+); where refused, the peak so
    # far stays in the figure, which can only make the growth look larger, not smaller.
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _read_with_csv(file: Path, _folder: Path) -> None:
    with file.open(encoding="utf-8", newline="") as stream:
        for _ in csv.reader(stream):
            pass


def _insert_with_executemany(file: Path, folder: Path) -> None:
    with (
        closing(sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)) as conn,
        file.open(encoding="utf-8", newline="") as stream,
    ):
        conn.execute("PRAGMA journal_mode=WAL")
        columns = ", ".join(f"c{i} TEXT" for i in range(len(HEADER)))
        conn.execute(f"CREATE TABLE lead (id INTEGER PRIMARY KEY, {columns})")
        reader = csv.reader(stream)
        next(reader)
        marks = ", ".join("?" * len(HEADER))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO lead VALUES (NULL, {marks})", reader)
        conn.execute("COMMIT")


def _child(op: str, file: Path, folder: Path) -> dict[str, float]:
    """One measured run, in this (fresh) process."""
    work: Callable[[], object]
    if op == "import_csv":
        from followthrough.paths import prepare_data_dir
        from followthrough.services.csvimport import import_csv
        from followthrough.store.db import Database

        db = Database.open(prepare_data_dir(folder / "data"))

        def work() -> object:
            report = import_csv(db, file)
            if report.skipped:
                raise SystemExit(
                    f"the import left out {report.skipped} rows: {report.problems[:3]}"
                )
            return report

    elif op == "csv.reader":

        def work() -> object:
            return _read_with_csv(file, folder)

    else:

        def work() -> object:
            return _insert_with_executemany(file, folder)

    _reset_peak()
    rss = _status_kb("VmRSS")
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    growth_mb = (_status_kb("VmHWM") - rss) / 1024
    return {"seconds": seconds, "growth_mb": growth_mb}


def _run_child(op: str, file: Path, folder: Path) -> dict[str, float]:
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.imports", "--child", op, str(file), str(folder)],
        capture_output=True,
        text=True,
        cwd=_ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{op} failed: {done.stderr.strip()}")
    return dict(json.loads(done.stdout))


def bench(rows: int, repeat: int, seed: int) -> dict[str, list[dict[str, float]]]:
    with tempfile.TemporaryDirectory(prefix="ft-import-") as tmp:
        folder = Path(tmp)
        file = folder / "leads.csv"
        write_leads_csv(file, rows, seed=seed)
        found: dict[str, list[dict[str, float]]] = {name: [] for name in ROWS}
        for run in range(repeat):
            for name in ROWS:  # interleaved, so all rows see the same noise
                found[name].append(_run_child(name, file, folder / f"{name}-{run}"))
        return found


def report(found: dict[str, list[dict[str, float]]], rows: int) -> str:
    base = statistics.median(r["seconds"] for r in found["csv.reader"])
    lines = [
        f"{rows:,} rows",
        f"{'operation':<12} {'median s':>9} {'max s':>7} {'median MB':>10} {'× csv.reader':>13}",
    ]
    for name, runs in found.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        slowest = max(r["seconds"] for r in runs)
        growth = statistics.median(r["growth_mb"] for r in runs)
        lines.append(
            f"{name:<12} {seconds:>9.3f} {slowest:>7.3f} {growth:>10.1f} {seconds / base:>13.1f}"
        )
    seconds = statistics.median(r["seconds"] for r in found["import_csv"])
    growth = statistics.median(r["growth_mb"] for r in found["import_csv"])
    verdict = "PASS" if seconds <= TARGET_S and growth <= TARGET_MB else "FAIL"
    lines.append(
        f"target: import_csv ≤ {TARGET_S:g} s median and ≤ {TARGET_MB:g} MB growth "
        f"({seconds:.2f} s, {growth:.1f} MB): {verdict}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the file")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each operation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--child", nargs=3, metavar=("OP", "FILE", "FOLDER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        op, file, folder = args.child
        print(json.dumps(_child(op, Path(file), Path(folder))))
        return 0
    print(report(bench(args.rows, args.repeat, args.seed), args.rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
