"""The benchmark's pipelines look like a user built them, and its runner still runs."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import col, select

from followthrough.domain.signals import EventKind, SignalKind, TimelineEntry, summarize_touches
from followthrough.domain.states import ALL_STATES, State
from followthrough.paths import prepare_data_dir
from followthrough.services import lead_queries, leads
from followthrough.services.planning import load_policy, replan_leads
from followthrough.services.readmodels import LeadDetail, LeadView
from followthrough.store.db import Database
from followthrough.store.models import Event, Lead
from tests.bench import run
from tests.bench.pipeline import STATE_SHARES, generate_pipeline, stored_time
from tests.conftest import NOW

N = 200


def _counters(lead: LeadView) -> tuple[int, datetime | None, datetime | None]:
    return lead.unanswered, lead.last_outbound_at, lead.last_inbound_at


def _from_history(detail: LeadDetail) -> tuple[int, datetime | None, datetime | None]:
    """The counters as services.leads would recount them from the timeline it shows."""
    summary = summarize_touches(TimelineEntry(e.at, e.kind, e.direction) for e in detail.timeline)
    return summary.unanswered, summary.last_outbound_at, summary.last_inbound_at


@pytest.fixture
def everyone(db: Database) -> list[LeadView]:
    stats = generate_pipeline(db, N, seed=5, now=NOW)
    assert (stats.leads, stats.first_id, stats.last_id) == (N, 1, N)
    return lead_queries.list_leads(db, ALL_STATES, now=NOW)


def test_states_follow_the_requested_spread(everyone: list[LeadView]) -> None:
    counts = Counter(lead.state for lead in everyone)
    assert len(everyone) == N
    for state, share in STATE_SHARES.items():
        assert counts[state] / N == pytest.approx(share, abs=0.02), counts


def test_every_lead_has_a_history_its_counters_agree_with(
    db: Database, everyone: list[LeadView]
) -> None:
    for lead in everyone:
        detail = lead_queries.get_lead(db, lead.id, now=NOW)
        # Newest first: the oldest entry is the lead being added, 3–15 signals come after.
        oldest = detail.timeline[-1]
        assert (oldest.kind, oldest.payload["from"]) == (EventKind.STATE_CHANGE, None)
        signals = [e for e in detail.timeline if e.kind != EventKind.STATE_CHANGE]
        assert 3 <= len(signals) <= 15
        assert all(e.at <= NOW for e in detail.timeline)
        assert _counters(detail.lead) == _from_history(detail)


def test_state_columns_match_what_the_lead_is(everyone: list[LeadView]) -> None:
    for lead in everyone:
        if lead.state is State.RECYCLE:
            assert lead.recycle_reason
            assert lead.recycle_until
            assert lead.recycle_until > lead.state_since
        else:
            assert lead.recycle_until is None
        if lead.state in (State.WON, State.LOST):
            assert lead.next_step is None
        if lead.next_step_due is not None:
            assert lead.next_step
    with_steps = [lead for lead in everyone if lead.state in (State.HOT, State.WARM)]
    assert sum(lead.next_step is not None for lead in with_steps) > len(with_steps) / 2


def test_next_check_is_what_the_planner_would_write(db: Database, everyone: list[LeadView]) -> None:
    before = {lead.id: lead.next_check_at for lead in everyone}
    assert any(before.values())
    with db.write() as session:
        replan_leads(session.connection(), list(before), NOW, load_policy(session))
    after = {lead.id: lead.next_check_at for lead in lead_queries.list_leads(db, ALL_STATES)}
    assert after == before


def test_logging_through_the_service_carries_on_from_the_generated_counters(
    db: Database, everyone: list[LeadView]
) -> None:
    lead = next(lead for lead in everyone if lead.state is State.HOT)
    unanswered = lead.unanswered

    leads.log_event(db, lead.id, SignalKind.SENT, now=NOW)
    chased = lead_queries.get_lead(db, lead.id, now=NOW)
    assert _counters(chased.lead) == (unanswered + 1, NOW, lead.last_inbound_at)
    assert _counters(chased.lead) == _from_history(chased)

    leads.log_event(db, lead.id, SignalKind.REPLIED, now=NOW + timedelta(hours=1))
    answered = lead_queries.get_lead(db, lead.id, now=NOW + timedelta(hours=1))
    assert _counters(answered.lead) == (0, NOW, NOW + timedelta(hours=1))
    assert _counters(answered.lead) == _from_history(answered)


def test_emails_are_unique_whatever_the_case(db: Database, everyone: list[LeadView]) -> None:
    emails = [lead.email for lead in everyone if lead.email]
    assert len(emails) > N * 0.9
    assert len({email.casefold() for email in emails}) == len(emails)
    assert any(email != email.lower() for email in emails)  # the case-insensitivity is tested
    with db.read() as session:
        keys = session.exec(select(Lead.email_key).where(col(Lead.email_key).is_not(None))).all()
    assert len(keys) == len(emails)
    assert set(keys) == {email.casefold() for email in emails}


def test_search_finds_a_generated_lead_by_its_company(
    db: Database, everyone: list[LeadView]
) -> None:
    on_board = [(lead, lead.company) for lead in everyone if lead.state.on_board and lead.company]
    # An accented company typed in lower case, if there is one: search folds in Python.
    target, company = next(
        ((lead, company) for lead, company in on_board if not company.isascii()), on_board[0]
    )
    found = lead_queries.list_leads(db, search=company.lower())
    assert target.id in [lead.id for lead in found]
    assert all(company.casefold() in (lead.company or "").casefold() for lead in found)


def test_the_same_seed_gives_the_same_pipeline(tmp_path: Path) -> None:
    def generated(folder: str) -> list[tuple[object, ...]]:
        database = Database.open(prepare_data_dir(tmp_path / folder), NOW)
        try:
            generate_pipeline(database, 50, seed=9, now=NOW)
            with database.read() as session:
                rows = session.exec(select(Event.lead_id, Event.at, Event.kind)).all()
            return [tuple(row) for row in rows]
        finally:
            database.close()

    assert generated("a") == generated("b")


@pytest.mark.parametrize(
    "moment",
    [
        NOW - timedelta(hours=1),
        datetime(2026, 3, 29, 1, 30, 0, 123, tzinfo=UTC),
        datetime(2026, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_events_are_stored_as_the_services_store_them(db: Database, moment: datetime) -> None:
    # The generator writes event times as text itself, for speed. Were the text to differ
    # from what the ORM writes, ORDER BY at would mix generated and logged events up.
    generate_pipeline(db, 1, seed=1, now=NOW)
    logged = leads.log_event(db, 1, SignalKind.NOTE, at=moment, now=NOW)
    with db.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT at FROM event WHERE id = ?", (logged.id,)).scalar()
    assert stored == stored_time(moment)


def test_runner_prints_a_row_per_operation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "bench.json"
    argv = ["--sizes", "50", "--repeat", "1", "--samples", "3", "--dir", str(tmp_path)]
    assert run.main([*argv, "--json", str(report)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = Counter(line.split()[0] for line in lines if line.split()[1:2] == ["50"])
    assert rows == dict.fromkeys((run.BASELINE, *run.OPS), 1)
    assert any("generated in" in line for line in lines)
    assert any(line.startswith("peak RSS") for line in lines)
    saved = json.loads(report.read_text())
    assert [size["leads"] for size in saved["sizes"]] == [50]
    assert set(saved["sizes"][0]["summary"]) == {run.BASELINE, *run.OPS}
