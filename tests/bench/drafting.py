"""Benchmark drafting: choose a template, render it, lint the result, for real alerts.

    python -m tests.bench.drafting --repeat 7

A generated pipeline is ticked so its leads carry the alerts the engine raises; each sample
drafts for one of them, picked at random, over the built-in templates. The table shows the
median and 90th percentile in ms, and the ratio to a baseline measured in the same run
(rendering a one-line template with plain Jinja). The target is a median of 5 ms or less for
choose + render + lint; `draft_for` adds the reads from the database, shown apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy import update

from followthrough.domain.templates import choose_templates
from followthrough.paths import prepare_data_dir
from followthrough.services import alerts, lead_queries, templates
from followthrough.services.drafting import draft_for
from followthrough.services.preferences import get_preferences, update_preferences
from followthrough.services.rendering import draft_context, render_and_lint
from followthrough.store.db import Database
from followthrough.store.models import Lead
from tests.bench.pipelines import generate_pipeline
from tests.bench.runner import _time

TARGET_MS = 5.0
ROWS = ("baseline", "choose+render+lint", "draft_for (with reads)")


def _alerted_leads(db: Database, n_leads: int, seed: int, now: datetime) -> list[Any]:
    generate_pipeline(db, n_leads, seed=seed, now=now)
    # Generated rows are not planned yet: let one tick look at every lead.
    with db.write() as session:
        session.execute(update(Lead).values(next_check_at=now))
    alerts.tick(db, now)
    return alerts.list_alerts(db)


def bench(n_leads: int, repeat: int, samples: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="ft-drafting-") as tmp:
        db = Database.open(prepare_data_dir(Path(tmp) / "data"))
        now = datetime.now(UTC)
        update_preferences(db, {"sender_name": "Sam Lee", "signature": "Sam Lee"}, now)
        raised = _alerted_leads(db, n_leads, seed, now)
        if not raised:
            raise SystemExit("the generated pipeline raised no alert: use more leads")
        specs = templates.list_templates(db)
        prefs = get_preferences(db)
        details = {a.lead_id: lead_queries.get_lead(db, a.lead_id, now) for a in raised}

        def draft() -> None:
            alert = rng.choice(raised)
            detail = details[alert.lead_id]
            context = draft_context(detail.lead, alert, prefs, now, detail.timeline)
            state = detail.lead.state.value
            spec = choose_templates(specs, rule=alert.rule, intent=alert.intent, state=state)[0]
            render_and_lint(spec, context)

        def draft_with_reads() -> None:
            alert = rng.choice(raised)
            draft_for(db, alert.lead_id, alert.id, now=now)

        trivial = Environment().from_string("Hello {{ name }}, see you {{ day }}.")

        def baseline() -> None:
            trivial.render(name="Ana", day="Thursday 4 Dec")

        ops = dict(zip(ROWS, (baseline, draft, draft_with_reads), strict=True))
        found: dict[str, list[float]] = {name: [] for name in ROWS}
        for op in ops.values():
            op()  # compile the templates once: the app keeps them compiled
        for _ in range(repeat):
            for name, op in ops.items():  # interleaved, so all rows see the same noise
                found[name] += _time(op, samples)
        db.close()
        return found


def report(found: dict[str, list[float]]) -> str:
    base = statistics.median(found["baseline"])
    lines = [f"{'operation':<24} {'median ms':>10} {'p90 ms':>8} {'× baseline':>11}"]
    for name, times in found.items():
        ordered = sorted(times)
        median = statistics.median(ordered)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        lines.append(f"{name:<24} {median:>10.3f} {p90:>8.3f} {median / base:>11.1f}")
    drafting = statistics.median(found["choose+render+lint"])
    verdict = "met" if drafting <= TARGET_MS else "MISSED"
    lines.append(f"target: choose+render+lint ≤ {TARGET_MS:g} ms median: {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--samples", type=int, default=50, help="samples per round and row")
    parser.add_argument("--leads", type=int, default=400, help="leads in the pipeline")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    found = bench(args.leads, args.repeat, args.samples, args.seed)
    print(report(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
