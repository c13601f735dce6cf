"""The sample pipeline: months of real history, enough for every Insights report, and it
leaves cleanly."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from followthrough.domain.leads import NewLead
from followthrough.domain.period import DEFAULT_DAYS, WEEK_DAYS, Period
from followthrough.domain.states import ALL_STATES, State
from followthrough.errors import InvalidData
from followthrough.services import alerts, lead_queries, leads, sample
from followthrough.services.clock import local_zone
from followthrough.services.insights.catalog import REPORTS, ReportSpec
from followthrough.store.db import Database
from followthrough.store.tables import ALERT, EVENT
from tests.conftest import NOW

# Four months of a solo founder's pipeline: what is still being worked, and how the rest ended.
EXPECTED_STATES = {State.HOT: 10, State.WARM: 7, State.RECYCLE: 9, State.WON: 10, State.LOST: 12}
# A Sunday in summer time: the sample must not depend on the day or the zone's offset.
SUMMER_SUNDAY = datetime(2027, 7, 4, 16, 30, tzinfo=UTC)


def states(db: Database) -> Counter[State]:
    return Counter(lead.state for lead in lead_queries.list_leads(db, ALL_STATES))


def test_an_empty_board_gets_the_sample_with_its_history(db: Database) -> None:
    assert sample.board_is_empty(db)
    assert not sample.sample_loaded(db)

    assert sample.load_sample(db, NOW) == sum(EXPECTED_STATES.values())

    assert states(db) == EXPECTED_STATES
    assert sample.sample_loaded(db)
    assert not sample.board_is_empty(db)
    hannah = lead_queries.list_leads(db, ALL_STATES, "Hannah")[0]
    assert hannah.unanswered == 3  # the guard's case: three touches, no answer
    parked = lead_queries.list_leads(db, (State.RECYCLE,))
    assert all(lead.recycle_until and lead.recycle_reason for lead in parked)


@pytest.mark.parametrize("now", [NOW, SUMMER_SUNDAY], ids=["monday-in-november", "summer-sunday"])
def test_the_sample_arrives_with_a_handful_of_open_alerts_of_several_kinds(
    db: Database, now: datetime
) -> None:
    # The history is replayed with the engine ticking, so the alerts a founder would find
    # open today are there as soon as the sample is: the first tick has nothing left to do.
    sample.load_sample(db, now)

    open_now = alerts.list_alerts(db)
    assert alerts.tick(db, now) == []

    assert 8 <= len(open_now) <= 20
    kinds = {alert.kind for alert in open_now}
    assert kinds >= {"trigger", "silence", "due", "guard", "reactivate"}
    rules = {alert.rule for alert in open_now}
    assert rules >= {"proposal_views", "pricing_silence", "meeting_missed"}
    assert states(db) == EXPECTED_STATES


def test_loading_twice_is_refused(db: Database) -> None:
    sample.load_sample(db, NOW)
    with pytest.raises(InvalidData, match="already loaded"):
        sample.load_sample(db, NOW)
    assert states(db) == EXPECTED_STATES


def test_a_failed_load_leaves_nothing_behind(db: Database) -> None:
    # The user already has someone with an address the sample uses: the sample is refused
    # whole, not added up to that lead.
    leads.add_lead(db, NewLead.create(name="Mine", email="grace@kijani.example.com", now=NOW), NOW)
    with pytest.raises(InvalidData, match="already has the e-mail"):
        sample.load_sample(db, NOW)
    assert [lead.name for lead in lead_queries.list_leads(db, ALL_STATES)] == ["Mine"]
    assert not sample.sample_loaded(db)


def test_clearing_removes_the_sample_and_keeps_the_users_leads(db: Database) -> None:
    sample.load_sample(db, NOW)
    mine = leads.add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    alerts.tick(db, NOW)

    assert sample.clear_sample(db) == sum(EXPECTED_STATES.values())

    assert [lead.id for lead in lead_queries.list_leads(db, ALL_STATES)] == [mine.id]
    assert alerts.list_alerts(db, include_resolved=True) == []
    with db.read() as session:  # the months of history went with the leads
        events = session.connection().execute(select(EVENT.c.lead_id)).scalars().all()
    assert events == [mine.id]  # only the user's own lead's arrival
    assert not sample.sample_loaded(db)
    assert sample.clear_sample(db) == 0
    sample.load_sample(db, NOW)  # and it can be explored again
    assert sum(states(db).values()) == sum(EXPECTED_STATES.values()) + 1


def test_clearing_spares_a_new_lead_that_reuses_a_deleted_sample_leads_id(db: Database) -> None:
    sample.load_sample(db, NOW)
    newest = max(lead.id for lead in lead_queries.list_leads(db, ALL_STATES))
    leads.delete_lead(db, newest)
    mine = leads.add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    assert mine.id == newest  # SQLite handed the id out again

    assert sample.clear_sample(db) == sum(EXPECTED_STATES.values()) - 1

    assert [lead.name for lead in lead_queries.list_leads(db, ALL_STATES)] == ["Ana Silva"]


@pytest.fixture
def sampled(db: Database) -> Database:
    sample.load_sample(db, NOW)
    return db


def _events(db: Database, since: datetime) -> list[tuple[str, dict[str, Any]]]:
    with db.read() as session:
        rows = session.connection().execute(
            select(EVENT.c.kind, EVENT.c.payload).where(EVENT.c.at >= since)
        )
        return [(kind, payload or {}) for kind, payload in rows]


def _moves(db: Database, since: datetime) -> list[dict[str, Any]]:
    """The moves between states since `since` (a lead's arrival is not a move)."""
    return [p for kind, p in _events(db, since) if kind == "state_change" and p.get("from")]


def test_the_history_holds_every_kind_of_fact_the_insights_reports_read(sampled: Database) -> None:
    since = NOW - timedelta(days=DEFAULT_DAYS)
    events = _events(sampled, since)
    with sampled.read() as session:
        raised = (
            session.connection()
            .execute(
                select(ALERT.c.kind, ALERT.c.snoozes, ALERT.c.status).where(
                    ALERT.c.raised_at >= since
                )
            )
            .all()
        )

    assert sum(kind in ("silence", "guard") for kind, _, _ in raised) >= 10
    assert sum(snoozes > 0 for _, snoozes, _ in raised) >= 3
    assert {status for _, _, status in raised} >= {"open", "done", "dismissed", "cleared"}
    sent = [p for kind, p in events if kind == "sent" and p.get("template")]
    assert len(sent) >= 15
    assert all(p["alert"] and p["rule"] and p["intent"] for p in sent)  # each answered an alert
    assert len({p["template"] for p in sent}) >= 8
    assert sum(kind == "replied" for kind, _ in events) >= 5
    moves = _moves(sampled, since)
    parked = Counter(m["category"] for m in moves if m["to"] in ("lost", "recycle"))
    assert sum(parked.values()) >= 3
    assert len(parked) >= 2
    assert sum(m["from"] == "recycle" for m in moves) >= 1  # reactivated from Recycle
    assert len(_moves(sampled, NOW - timedelta(days=WEEK_DAYS))) >= 3  # the week's review
    with sampled.read() as session:
        conn = session.connection()
        engaged = conn.execute(select(ALERT.c.id).where(ALERT.c.outcome == "engaged")).all()
        latest = conn.execute(select(func.max(EVENT.c.at))).scalar_one()
    assert len(engaged) >= 5  # acted on, and the buyer engaged within outcome_days
    assert latest <= NOW  # nothing in the sample happens after the moment of loading


@pytest.mark.parametrize("spec", REPORTS, ids=[spec.key.value for spec in REPORTS])
def test_every_report_shows_something_on_the_sample(sampled: Database, spec: ReportSpec) -> None:
    view = spec.build(sampled, Period.last(spec.default_days, NOW), local_zone())
    assert any(table.rows for table in view.tables), spec.key
