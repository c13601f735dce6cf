"""The benchmark generator builds pipelines a user could have built, and the runner runs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from followthrough.domain.signals import SignalKind, TimelineEntry, summarize_touches
from followthrough.domain.states import ALL_STATES, BOARD_STATES, State
from followthrough.services import alerts, lead_queries, leads
from followthrough.services.planning import replan_leads
from followthrough.services.policy import load_policy
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


def _plans(db: Database) -> dict[int, tuple[str, object]]:
    """Each lead's (state, next_check_at) as stored."""
    with db.read() as session:
        rows = session.connection().exec_driver_sql("SELECT id, state, next_check_at FROM lead")
        return {lead_id: (state, check) for lead_id, state, check in rows}


def _live_alert_leads(db: Database) -> set[int]:
    with db.read() as session:
        sql = "SELECT DISTINCT lead_id FROM alert WHERE status IN ('open', 'snoozed')"
        return {lead_id for (lead_id,) in session.connection().exec_driver_sql(sql)}


def test_generated_pipeline_is_planned_and_a_tick_raises_its_alerts(db: Database) -> None:
    generate_pipeline(db, 400, seed=3, now=NOW)
    board = {state.value for state in BOARD_STATES}
    planned = _plans(db)
    # Every lead on the board has a moment for the engine, as the services leave it.
    assert all(check is not None for state, check in planned.values() if state in board)
    assert all(check is None for state, check in planned.values() if state not in board)
    # ...and it is the planner's own answer: planning again changes nothing.
    with db.write() as session:
        replan_leads(session.connection(), list(planned), NOW, load_policy(session))
    assert _plans(db) == planned

    raised = alerts.tick(db, NOW)
    today = alerts.today_alerts(db)
    assert today.total == len(raised) > 40  # a backlog: about one per lead on the board
    assert len(today.alerts) == min(today.total, alerts.TODAY_SHOWN)
    assert alerts.tick(db, NOW) == []  # everything due was raised at once
    # A board lead has no next check only once all it was waiting for is an open alert.
    with_alerts = _live_alert_leads(db)
    for lead_id, (state, check) in _plans(db).items():
        if state in board:
            assert check is not None or lead_id in with_alerts, lead_id


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
    # A ticked pipeline: Today has alerts, and had them listed when the board was ready.
    open_line = next(line for line in table.splitlines() if line.startswith("open alerts: "))
    assert int(open_line.split()[2].replace(",", "")) > 0
    assert "loaded first: yes" in table
