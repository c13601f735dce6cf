"""Lead use cases against a real SQLite file: what a user sees after each action."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta

import pytest

from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import Direction, SignalKind
from followthrough.domain.states import ALL_STATES, State
from followthrough.errors import Ambiguous, FieldError, InvalidData, NotFound
from followthrough.services import lead_queries, leads
from followthrough.store.db import Database
from tests.conftest import NOW


def add(db: Database, name: str, **fields: object) -> int:
    return leads.add_lead(db, NewLead.create(name=name, now=NOW, **fields), NOW).id  # type: ignore[arg-type]


def test_added_lead_reads_back_with_its_first_timeline_entry(db: Database) -> None:
    lead_id = add(db, "Ana Silva", company="Acme", email="ana@acme.com", tags=["saas"],
                  next_step="Send pricing", next_step_due=NOW + timedelta(days=1))  # fmt: skip
    detail = lead_queries.get_lead(db, lead_id)
    assert detail.lead.name == "Ana Silva"
    assert detail.lead.state is State.HOT
    assert detail.lead.next_step_due == NOW + timedelta(days=1)
    assert detail.lead.next_step_due.tzinfo is not None
    assert detail.lead.tags == ("saas",)
    assert [(e.kind, e.payload["to"]) for e in detail.timeline] == [("state_change", "hot")]


def test_same_email_in_another_case_is_refused_naming_the_lead(db: Database) -> None:
    first = add(db, "Ana Silva", email="ana@acme.com")
    with pytest.raises(InvalidData, match=rf"#{first} Ana Silva already has the e-mail"):
        add(db, "Someone Else", email="ANA@Acme.COM")
    other = add(db, "Bob", email="bob@acme.com")
    with pytest.raises(InvalidData, match="already has the e-mail"):
        leads.edit_lead(db, other, LeadEdit.create(email="Ana@acme.com"), NOW)
    assert len(lead_queries.list_leads(db, ALL_STATES)) == 2


def test_logging_keeps_silence_counters_right_even_when_backdated(db: Database) -> None:
    lead_id = add(db, "Ana")
    leads.log_event(db, lead_id, SignalKind.SENT, at=NOW - timedelta(days=3), now=NOW)
    leads.log_event(db, lead_id, SignalKind.SENT, at=NOW - timedelta(days=1), now=NOW)
    lead = lead_queries.get_lead(db, lead_id).lead
    assert lead.unanswered == 2
    assert lead.last_outbound_at == NOW - timedelta(days=1)

    # A reply logged late, but which happened between the two touches.
    leads.log_event(db, lead_id, SignalKind.REPLIED, at=NOW - timedelta(days=2), now=NOW)
    lead = lead_queries.get_lead(db, lead_id).lead
    assert lead.unanswered == 1
    assert lead.last_inbound_at == NOW - timedelta(days=2)

    leads.log_event(db, lead_id, SignalKind.CALL, direction=Direction.IN, now=NOW)
    assert lead_queries.get_lead(db, lead_id).lead.unanswered == 0


def test_events_in_the_future_are_refused(db: Database) -> None:
    lead_id = add(db, "Ana")
    with pytest.raises(InvalidData, match="future"):
        leads.log_event(db, lead_id, SignalKind.SENT, at=NOW + timedelta(hours=2), now=NOW)
    assert len(lead_queries.get_lead(db, lead_id).timeline) == 1


def test_moving_to_recycle_parks_with_a_date_and_leaving_clears_it(db: Database) -> None:
    lead_id = add(db, "Ana")
    with pytest.raises(FieldError, match="needs a date to come back") as missing:
        leads.move_lead(db, lead_id, State.RECYCLE, now=NOW)
    assert (missing.value.field, missing.value.needs) == ("until", "until")
    back = NOW + timedelta(days=60)
    parked = leads.move_lead(db, lead_id, State.RECYCLE, until=back, reason="budget", now=NOW)
    assert (parked.state, parked.recycle_until, parked.recycle_reason) == (
        State.RECYCLE, back, "budget",
    )  # fmt: skip
    warm = leads.move_lead(db, lead_id, State.WARM, now=NOW + timedelta(hours=1))
    assert warm.recycle_until is None
    assert warm.state_since == NOW + timedelta(hours=1)
    moves = [e.payload for e in lead_queries.get_lead(db, lead_id).timeline]
    assert [(m["from"], m["to"]) for m in moves] == [
        ("recycle", "warm"), ("hot", "recycle"), (None, "hot"),
    ]  # fmt: skip


def test_won_and_lost_leave_the_board_but_stay_listed_as_archive(db: Database) -> None:
    won, lost, hot = add(db, "Won Co"), add(db, "Lost Co"), add(db, "Still Hot")
    leads.move_lead(db, won, State.WON, now=NOW)
    leads.move_lead(db, lost, State.LOST, now=NOW)
    assert [lead.id for lead in lead_queries.list_leads(db)] == [hot]
    assert [lead.id for lead in lead_queries.list_leads(db, (State.WON, State.LOST))] == [won, lost]


def test_next_step_is_set_changed_and_cleared(db: Database) -> None:
    lead_id = add(db, "Ana")
    due = NOW + timedelta(days=2)
    lead = leads.set_next_step(db, lead_id, "Demo with the CTO", due, NOW)
    assert (lead.next_step, lead.next_step_due) == ("Demo with the CTO", due)
    lead = leads.edit_lead(db, lead_id, LeadEdit.create(next_step_due=due + timedelta(days=1)), NOW)
    assert lead.next_step == "Demo with the CTO"
    assert lead.next_step_due == due + timedelta(days=1)
    lead = leads.set_next_step(db, lead_id, "", None, NOW)
    assert (lead.next_step, lead.next_step_due) == (None, None)


def test_edit_changes_fields_and_search_follows(db: Database) -> None:
    lead_id = add(db, "Ana", company="Acme", tags=["q4"])
    leads.edit_lead(db, lead_id, LeadEdit.create(company="Globex", add_tags=["VIP"],
                                                 remove_tags=["Q4"]), NOW)  # fmt: skip
    assert lead_queries.list_leads(db, search="acme") == []
    found = lead_queries.list_leads(db, search="globex")
    assert [lead.tags for lead in found] == [("VIP",)]
    assert lead_queries.list_leads(db, search="vip")[0].id == lead_id
    with pytest.raises(InvalidData, match="name is empty"):
        leads.edit_lead(db, lead_id, LeadEdit.create(name=" "), NOW)


def test_delete_takes_the_history_with_it(db: Database) -> None:
    keep, gone = add(db, "Keep"), add(db, "Gone")
    leads.log_event(db, gone, SignalKind.SENT, now=NOW)
    leads.log_event(db, keep, SignalKind.SENT, now=NOW)
    leads.delete_lead(db, gone)
    with pytest.raises(NotFound):
        lead_queries.get_lead(db, gone)
    with closing(sqlite3.connect(db.path)) as conn:
        lead_ids = {row[0] for row in conn.execute("SELECT lead_id FROM event")}
    assert lead_ids == {keep}


def test_search_by_name_company_email_or_tag_in_any_case_and_script(db: Database) -> None:
    add(db, "Émile Zola", company="Les Éditions")
    add(db, "李小龙", email="bruce@dragon.example", tags=["Kung-Fu"])
    add(db, "50% Off Ltd")

    def names(query: str) -> list[str]:
        return [lead.name for lead in lead_queries.list_leads(db, search=query)]

    assert names("ÉMILE") == ["Émile Zola"]
    assert names("éditions") == ["Émile Zola"]
    assert names("小龙") == ["李小龙"]
    assert names("DRAGON.example") == ["李小龙"]
    assert names("kung-fu") == ["李小龙"]
    assert names("50%") == ["50% Off Ltd"]  # % is text, not a wildcard
    assert names("_") == []


def test_resolving_a_lead_by_id_email_or_part_of_name(db: Database) -> None:
    ana = add(db, "Ana Silva", email="ana@acme.com")
    anna = add(db, "Anna Berg")
    add(db, "Joanna Li")
    assert lead_queries.resolve_lead(db, str(ana)).id == ana
    assert lead_queries.resolve_lead(db, f"#{anna}").id == anna
    assert lead_queries.resolve_lead(db, "ANA@ACME.COM").id == ana
    assert lead_queries.resolve_lead(db, "berg").id == anna
    with pytest.raises(Ambiguous) as caught:
        lead_queries.resolve_lead(db, "ann")
    assert caught.value.candidates == [f"#{anna} Anna Berg", "#3 Joanna Li"]
    with pytest.raises(NotFound):
        lead_queries.resolve_lead(db, "zed")
    with pytest.raises(NotFound):
        lead_queries.resolve_lead(db, "999")


def test_an_exact_name_wins_over_longer_ones(db: Database) -> None:
    ann = add(db, "Ann")
    add(db, "Anna")
    assert lead_queries.resolve_lead(db, "ann").id == ann


def test_board_order_is_state_then_soonest_date(db: Database) -> None:
    later = add(db, "Later", next_step="x", next_step_due=NOW + timedelta(days=5))
    sooner = add(db, "Sooner", next_step="x", next_step_due=NOW + timedelta(days=1))
    undated = add(db, "Undated")
    warm = add(db, "Warm", state=State.WARM)
    parked = add(db, "Parked", state=State.RECYCLE, recycle_until=NOW + timedelta(days=9))
    assert [lead.id for lead in lead_queries.list_leads(db)] == [
        sooner, later, undated, warm, parked,
    ]  # fmt: skip
