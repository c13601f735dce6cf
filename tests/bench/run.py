"""Time the everyday operations on generated pipelines of several sizes.

    .venv/bin/python -m tests.bench.run --sizes 1000 100000 --repeat 5 [--json FILE]

For each size: a fresh data folder in a temporary directory, a generated pipeline (its
generation time and database size are reported), then each operation timed many times over
`--repeat` rounds. The table gives the median and 90th percentile of all samples, the ratio
to a baseline measured in the same run (one plain SQLite insert and commit on the same disk,
in WAL mode with synchronous=NORMAL as the app uses: what one durable write costs on this
machine right now), and the ratio to the same operation's median at the smallest size.
Machines are shared and noisy: compare ratios across runs, not raw milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import BOARD_STATES, State
from followthrough.errors import Ambiguous, NotFound
from followthrough.paths import DataPaths, prepare_data_dir
from followthrough.services import lead_queries, leads
from followthrough.store.db import Database
from followthrough.store.models import Lead
from tests.bench.pipeline import PipelineStats, generate_pipeline

Op = Callable[[], object]
BASELINE = "baseline"
OPS = ("add", "log", "list", "list-board", "search", "resolve", "show")
DEFAULT_SAMPLES = 40  # per operation and size, spread over the rounds
# A slow operation stops sampling early in a round (keeping at least MIN_SAMPLES), so one
# pathological op cannot make a run take hours; the table shows how many samples it got.
ROUND_BUDGET_S = 60.0
MIN_SAMPLES = 3
TARGETS = 20  # distinct leads the search, resolve, log and show operations pick from
LOG_KINDS = (SignalKind.SENT, SignalKind.REPLIED, SignalKind.PROPOSAL_VIEWED,
             SignalKind.CALL, SignalKind.NOTE)  # fmt: skip


@dataclass
class SizeResult:
    leads: int
    events: int
    generate_s: float
    db_bytes: int
    samples: dict[str, list[float]]  # milliseconds, per operation
    notes: list[str] = field(default_factory=list)


# -- timing -------------------------------------------------------------------------------


def _time(op: Op, count: int, budget_s: float) -> list[float]:
    """`count` timings of `op` in ms, fewer (but at least MIN_SAMPLES) past the budget."""
    timings: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(timings) < count and (len(timings) < MIN_SAMPLES or time.perf_counter() < deadline):
        start = time.perf_counter()
        op()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _measure(ops: dict[str, Op], rounds: int, per_round: int) -> dict[str, list[float]]:
    # One untimed call each first: the first call compiles SQL and reads cold pages, which
    # a running app has long paid for.
    for op in ops.values():
        op()
    samples: dict[str, list[float]] = {name: [] for name in ops}
    # Rounds interleave the operations (the baseline among them), so a burst of noise on
    # the machine lands on all of them rather than skewing one.
    for _ in range(rounds):
        for name, op in ops.items():
            samples[name] += _time(op, per_round, ROUND_BUDGET_S)
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p90(values: Sequence[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


@contextmanager
def _baseline(folder: Path) -> Iterator[Op]:
    """One durable write with nothing around it: a plain sqlite3 insert and commit."""
    conn = sqlite3.connect(folder / "baseline.sqlite3", isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, value TEXT)")

        def insert() -> None:
            conn.execute("BEGIN IMMEDIATE")  # as the app's writers do
            conn.execute("INSERT INTO scratch (value) VALUES ('x')")
            conn.execute("COMMIT")

        yield insert
    finally:
        conn.close()


# -- the operations -----------------------------------------------------------------------


def _board_leads(db: Database) -> list[tuple[int, str, str]]:
    """(id, name, e-mail) of every lead on the board with an e-mail, in id order."""
    with db.read() as session:
        query = (
            select(col(Lead.id), col(Lead.name), col(Lead.email))
            .where(col(Lead.state).in_([s.value for s in BOARD_STATES]))
            .where(col(Lead.email).is_not(None))
            .order_by(col(Lead.id))
        )
        return [(row[0], row[1], row[2]) for row in session.execute(query)]


def _name_fragment(name: str) -> str:
    """What a user types for a lead: the first name and the start of the last name."""
    first, _, last = name.partition(" ")
    return f"{first} {last[:3]}"


def _search_term(email: str) -> str:
    # The local part of an address (with its id) hits one lead, or a few whose id starts
    # with the same digits: the search a user makes to find one person.
    return email.split("@")[0]


def _matches(db: Database, fragment: str) -> int:
    try:
        lead_queries.resolve_lead(db, fragment)
    except Ambiguous as exc:
        return len(exc.candidates)
    except NotFound:
        return 0
    return 1


def _resolve(db: Database, fragment: str) -> None:
    # Several leads sharing a name is the everyday answer at scale: "which one?" is a
    # result, and costs the same scan.
    with contextlib.suppress(Ambiguous):
        lead_queries.resolve_lead(db, fragment)


def _operations(
    db: Database, stats: PipelineStats, rng: random.Random
) -> tuple[dict[str, Op], list[str]]:
    """The operations to time, and notes on what they hit."""
    board = _board_leads(db)
    targets = rng.sample(board, min(TARGETS, len(board)))
    terms = [_search_term(email) for _, _, email in targets]
    fragments = [_name_fragment(name) for _, name, _ in targets]
    ids = range(stats.first_id, stats.last_id + 1)
    added = iter(range(1, 10**9))

    def add() -> None:
        n = next(added)
        now = datetime.now(UTC)
        new = NewLead.create(name=f"Bench Lead {n}", company="Benchmark Ltd",
                             email=f"bench.lead{n}@benchmark.example", state=State.HOT,
                             next_step="Intro call", next_step_due=now + timedelta(days=2),
                             tags=("bench",), now=now)  # fmt: skip
        leads.add_lead(db, new, now)

    ops: dict[str, Op] = {
        "add": add,
        "log": lambda: leads.log_event(db, rng.choice(ids), rng.choice(LOG_KINDS)),
        "list": lambda: lead_queries.list_leads(db, (State.HOT,)),
        "list-board": lambda: lead_queries.list_leads(db),
        "search": lambda: lead_queries.list_leads(db, search=rng.choice(terms)),
        "resolve": lambda: _resolve(db, rng.choice(fragments)),
        "show": lambda: lead_queries.get_lead(db, rng.choice(ids)),
    }
    hits = _spread(len(lead_queries.list_leads(db, search=term)) for term in terms)
    matches = _spread(_matches(db, fragment) for fragment in fragments)
    notes = [
        f"list returns {len(lead_queries.list_leads(db, (State.HOT,))):,} leads, "
        f"list-board {len(lead_queries.list_leads(db)):,}",
        f"search: {len(terms)} e-mail fragments (e.g. '{terms[0]}'), {hits} hit(s) each",
        f"resolve: {len(fragments)} name fragments (e.g. '{fragments[0]}'), "
        f"{matches} match(es) each",
    ]
    return ops, notes


def _spread(counts: Iterable[int]) -> str:
    values = sorted(counts)
    return f"{values[0]}" if values[0] == values[-1] else f"{values[0]}–{values[-1]}"


# -- one size -----------------------------------------------------------------------------


def _checkpoint(db: Database) -> None:
    """Fold the WAL back into the database file and empty it.

    The bulk load leaves a WAL as large as the data; an app that has run for months has
    checkpointed long ago, and the database size is only right once it is folded in.
    """
    raw = db.engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def _database_bytes(paths: DataPaths) -> int:
    files = [paths.database, paths.database.with_name(paths.database.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists())


def bench_size(
    n_leads: int, *, rounds: int, per_round: int, seed: int, parent: Path | None
) -> SizeResult:
    with tempfile.TemporaryDirectory(prefix="ft-bench-", dir=parent) as tmp:
        folder = Path(tmp)
        paths = prepare_data_dir(folder / "data")
        db = Database.open(paths)
        try:
            started = time.perf_counter()
            stats = generate_pipeline(db, n_leads, seed=seed, now=datetime.now(UTC))
            generate_s = time.perf_counter() - started
            _checkpoint(db)
            db_bytes = _database_bytes(paths)
            ops, notes = _operations(db, stats, random.Random(seed))
            with _baseline(folder) as baseline:
                samples = _measure({BASELINE: baseline, **ops}, rounds, per_round)
        finally:
            db.close()
    return SizeResult(n_leads, stats.events, generate_s, db_bytes, samples, notes)


# -- report -------------------------------------------------------------------------------


def _table(results: list[SizeResult]) -> list[str]:
    smallest = results[0]
    header = (f"{'op':<12}{'leads':>10}{'samples':>9}{'median ms':>12}{'p90 ms':>10}"
              f"{'× baseline':>12}{f'× {smallest.leads:,} leads':>18}")  # fmt: skip
    lines = [header, "-" * len(header)]
    for result in results:
        base = median(result.samples[BASELINE])
        for name, values in result.samples.items():
            scale = median(values) / median(smallest.samples[name])
            lines.append(f"{name:<12}{result.leads:>10,}{len(values):>9}{median(values):>12.3f}"
                         f"{p90(values):>10.3f}{median(values) / base:>12.1f}{scale:>18.2f}")  # fmt: skip
        lines.append("")
    return lines


def _scaling(results: list[SizeResult]) -> list[str]:
    small, large = results[0], results[-1]
    lines = [f"scaling: median at {large.leads:,} leads ÷ median at {small.leads:,} leads"]
    for name in small.samples:
        ratio = median(large.samples[name]) / median(small.samples[name])
        lines.append(f"  {name:<12}{ratio:>8.2f}×")
    return [*lines, ""]


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    unit = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit / 1e6


def render(results: list[SizeResult]) -> str:
    lines = _table(results)
    if len(results) > 1:
        lines += _scaling(results)
    for r in results:
        lines.append(f"{r.leads:>10,} leads, {r.events:>10,} events: generated in "
                     f"{r.generate_s:.1f} s, database {r.db_bytes / 1e6:.1f} MB")  # fmt: skip
        lines += [f"{'':>12}{note}" for note in r.notes]
    lines.append(f"peak RSS: {peak_rss_mb():.0f} MB")
    return "\n".join(lines)


def _json(results: list[SizeResult], argv: Sequence[str]) -> str:
    summary = [
        {
            **asdict(r),
            "summary": {
                name: {
                    "median_ms": median(v),
                    "p90_ms": p90(v),
                    "x_baseline": median(v) / median(r.samples[BASELINE]),
                }
                for name, v in r.samples.items()
            },
        }
        for r in results
    ]
    document = {"argv": list(argv), "sqlite": sqlite3.sqlite_version,
                "peak_rss_mb": peak_rss_mb(), "sizes": summary}  # fmt: skip
    return json.dumps(document, indent=1, ensure_ascii=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--repeat", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES,
                        help=f"timings per op and size, over all rounds (default {DEFAULT_SAMPLES})")  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="where to make the temporary data folders")
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.repeat < 1 or args.samples < 1 or min(args.sizes) < 1:
        raise SystemExit("--sizes, --repeat and --samples must be at least 1")
    per_round = math.ceil(args.samples / args.repeat)
    results = []
    for n in sorted(set(args.sizes)):
        results.append(bench_size(n, rounds=args.repeat, per_round=per_round, seed=args.seed,
                                  parent=args.dir))  # fmt: skip
        print(f"{n:,} leads done", file=sys.stderr, flush=True)
    print(render(results))
    if args.json:
        args.json.write_text(_json(results, sys.argv[1:] if argv is None else argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
