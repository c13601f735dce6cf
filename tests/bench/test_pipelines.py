"""The benchmark generator builds pipelines a user could have built, and the runner runs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from followthrough.domain.signals import SignalKind, TimelineEntry, summarize_touches
from followthrough.domain.states import ALL_STATES, State
from followthrough.services import lead_queries, leads
from followthrough.store.db import Database
from tests.bench import runner
from tests.bench.pipelines import STATE_SPREAD, generate_pipeline
from tests.conftest import NOW


def test_generated_pipeline_looks_like_real_use(db: Database) -> None:
    generate_pipeline(db, 400, seed=3, now=NOW)
    everyone = lead_queries.list_leads(db, ALL_STATES)
    assert len(everyone) == 400
    counts = Counter(lead.state for lead in everyone)
    for state, share in STATE_SPREAD.items():
        assert abs(counts[state] / 400 - share) < 0.08, (state, counts)
    emails = [lead.email.casefold() for lead in everyone if lead.email]
    assert len(emails) == len(set(emails)) == 400
    assert all(lead.recycle_until for lead in everyone if lead.state is State.RECYCLE)

    # The stored counters are what the services would have computed from the history.
    for lead in everyone[:50]:
        detail = lead_queries.get_lead(db, lead.id)
        assert len(detail.timeline) >= 4
        summary = summarize_touches(
            TimelineEntry(e.at, e.kind, e.direction) for e in detail.timeline
        )
        assert (lead.unanswered, lead.last_outbound_at, lead.last_inbound_at) == (
            summary.unanswered, summary.last_outbound_at, summary.last_inbound_at,
        )  # fmt: skip

    # And the services carry on from there.
    target = everyone[0]
    leads.log_event(db, target.id, SignalKind.SENT, now=NOW)
    assert lead_queries.get_lead(db, target.id).lead.unanswered == target.unanswered + 1
    company = target.company
    assert company
    assert target.id in [lead.id for lead in lead_queries.list_leads(db, ALL_STATES, company)]


def test_runner_prints_a_row_per_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.main(["--sizes", "30", "60", "--repeat", "1"]) == 0
    table = capsys.readouterr().out
    for op in ("baseline", "add", "log", "show", "list hot", "list board", "search", "resolve"):
        assert (
            sum(line.strip().startswith(op + " ") for line in table.splitlines()) == 3
        )  # 2 sizes + growth
    assert "peak memory" in table


def test_tick_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.bench import tick

    assert tick.main(["--sizes", "150", "300", "--due", "20", "--repeat", "1"]) == 0
    table = capsys.readouterr().out
    for op in ("baseline", "tick", "replan", "edit", "first tick"):
        assert sum(line.startswith(op + " ") for line in table.splitlines()) == 2


def test_gui_benchmark_runs_and_reports_every_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.bench import gui

    assert gui.main(["--leads", "300", "--repeat", "1", "--data-dir", str(tmp_path / "d")]) == 0
    table = capsys.readouterr().out
    for name in gui.TARGETS:
        assert name in table
    assert "300 leads" in table
