"""The sample pipeline: loads with real histories, wakes the engine, and leaves cleanly."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from followthrough.domain.leads import NewLead
from followthrough.domain.states import ALL_STATES, State
from followthrough.errors import InvalidData
from followthrough.services import alerts, lead_queries, leads, sample
from followthrough.store.db import Database
from tests.conftest import NOW

EXPECTED_STATES = {State.HOT: 6, State.WARM: 4, State.RECYCLE: 3, State.WON: 1}
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
def test_the_first_tick_raises_a_handful_of_alerts_of_several_kinds(
    db: Database, now: datetime
) -> None:
    sample.load_sample(db, now)

    raised = alerts.tick(db, now)

    assert 4 <= len(raised) <= 8
    kinds = {alert.kind for alert in raised}
    assert kinds >= {"trigger", "silence", "due", "guard", "reactivate"}
    rules = {alert.rule for alert in raised}
    assert rules >= {"proposal_views", "pricing_silence", "meeting_missed"}
    assert states(db) == EXPECTED_STATES
    assert alerts.tick(db, now) == []  # raised once, not on every tick


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
