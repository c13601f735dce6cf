"""Other devices' changes applied here, rule by rule (services/sync/apply.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services import alerts, lead_queries, leads, timeline
from followthrough.store.db import Database
from tests.services.sync.sync_devices import Device, open_device, synced_rows

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Device, Device]:
    laptop, desktop = open_device(tmp_path, "Laptop", T0), open_device(tmp_path, "Desktop", T0)
    yield laptop, desktop
    laptop.db.close()
    desktop.db.close()


def both_ways(a: Device, b: Device, now: datetime = T0) -> None:
    a.pull(b, now)
    b.pull(a, now)


def shared_lead(a: Device, b: Device) -> tuple[int, int]:
    lead = leads.add_lead(a.db, NewLead.create(name="Ana", now=T0, next_step="Pilot"), T0)
    leads.log_event(a.db, lead.id, SignalKind.SENT, at=T0, now=T0)
    b.pull(a, T0)
    return lead.id, only_lead(b.db)


def only_lead(db: Database) -> int:
    found = lead_queries.list_leads(db, tuple(State))
    assert len(found) == 1
    return found[0].id


def test_a_lead_added_on_one_device_appears_on_the_other_with_its_history(
    pair: tuple[Device, Device],
) -> None:
    laptop, desktop = pair
    _, there = shared_lead(laptop, desktop)
    lead = lead_queries.get_lead(desktop.db, there).lead
    assert (lead.name, lead.next_step, lead.unanswered) == ("Ana", "Pilot", 1)
    assert [e.kind for e in timeline.lead_timeline(desktop.db, there).entries].count("sent") == 1
    assert synced_rows(laptop.db) == synced_rows(desktop.db)


def test_fields_merge_one_by_one_the_later_write_winning(pair: tuple[Device, Device]) -> None:
    laptop, desktop = pair
    here, there = shared_lead(laptop, desktop)
    leads.edit_lead(laptop.db, here, LeadEdit.create(name="Ana Laptop"), T0)
    leads.edit_lead(desktop.db, there, LeadEdit.create(name="Ana Desktop", phone="555"), T0)
    leads.edit_lead(laptop.db, here, LeadEdit.create(company="Acme"), T0)
    both_ways(laptop, desktop)
    for device, lead_id in ((laptop, here), (desktop, there)):
        lead = lead_queries.get_lead(device.db, lead_id).lead
        assert (lead.name, lead.phone, lead.company) == ("Ana Desktop", "555", "Acme")
    assert synced_rows(laptop.db) == synced_rows(desktop.db)


def test_a_state_conflict_keeps_the_later_move_and_notes_the_other_once(
    pair: tuple[Device, Device],
) -> None:
    laptop, desktop = pair
    here, there = shared_lead(laptop, desktop)
    leads.move_lead(laptop.db, here, State.WON, at=T0, now=T0)
    leads.move_lead(desktop.db, there, State.RECYCLE, until=T0 + 30 * DAY, at=T0, now=T0)
    report = laptop.pull(desktop, T0)
    assert report.conflicts == 1
    desktop.pull(laptop, T0)
    assert desktop.pull(laptop, T0).conflicts == 0  # nothing new: no second note
    for device, lead_id in ((laptop, here), (desktop, there)):
        assert lead_queries.get_lead(device.db, lead_id).lead.state == State.RECYCLE
        notes = [
            e.text for e in timeline.lead_timeline(device.db, lead_id).entries if e.kind == "note"
        ]
        assert len(notes) == 1
        assert notes[0] is not None
        assert notes[0].startswith("On Laptop this lead was moved to Won")
        assert "kept Recycle" in notes[0]
    assert synced_rows(laptop.db) == synced_rows(desktop.db)


def test_a_delete_wins_over_edits_made_before_it(pair: tuple[Device, Device]) -> None:
    laptop, desktop = pair
    here, there = shared_lead(laptop, desktop)
    leads.edit_lead(desktop.db, there, LeadEdit.create(phone="555"), T0)
    leads.log_event(desktop.db, there, SignalKind.CALL, at=T0, now=T0)
    leads.delete_lead(laptop.db, here)
    both_ways(laptop, desktop)
    assert lead_queries.list_leads(laptop.db) == []
    assert lead_queries.list_leads(desktop.db) == []
    assert synced_rows(laptop.db) == synced_rows(desktop.db)


def test_an_edit_made_after_the_delete_brings_the_lead_back(pair: tuple[Device, Device]) -> None:
    laptop, desktop = pair
    here, there = shared_lead(laptop, desktop)
    leads.delete_lead(laptop.db, here)
    leads.edit_lead(desktop.db, there, LeadEdit.create(phone="555"), T0)  # not seen the delete
    both_ways(laptop, desktop)
    back = lead_queries.list_leads(laptop.db)
    assert [(lead.name, lead.phone) for lead in back] == [("Ana", "555")]
    assert lead_queries.get_lead(desktop.db, there).lead.phone == "555"
    assert synced_rows(laptop.db) == synced_rows(desktop.db)


def test_the_same_alert_raised_on_both_is_one_and_done_on_one_clears_it_on_the_other(
    pair: tuple[Device, Device],
) -> None:
    laptop, desktop = pair
    here, _there = shared_lead(laptop, desktop)
    later = T0 + 2 * DAY + timedelta(minutes=1)
    assert [a.rule for a in alerts.tick(laptop.db, later)] == ["silence"]
    assert [a.rule for a in alerts.tick(desktop.db, later)] == ["silence"]
    both_ways(laptop, desktop, later)
    assert len(alerts.list_alerts(laptop.db, include_resolved=True)) == 1
    assert len(alerts.list_alerts(desktop.db, include_resolved=True)) == 1

    on_desktop = alerts.list_alerts(desktop.db)[0]
    alerts.resolve(desktop.db, on_desktop.id, AlertStatus.DONE, later + DAY)
    laptop.pull(desktop, later + DAY)
    assert alerts.list_alerts(laptop.db) == []
    kept = alerts.list_alerts(laptop.db, include_resolved=True)
    assert [a.status for a in kept] == [AlertStatus.DONE]
    assert lead_queries.get_lead(laptop.db, here).lead.name == "Ana"
    assert synced_rows(laptop.db) == synced_rows(desktop.db)


def test_duplicates_and_reordering_are_harmless(pair: tuple[Device, Device]) -> None:
    laptop, desktop = pair
    lead = leads.add_lead(laptop.db, NewLead.create(name="Ana", now=T0), T0)
    for _ in range(3):
        leads.log_event(laptop.db, lead.id, SignalKind.SENT, at=T0, now=T0)
    leads.edit_lead(laptop.db, lead.id, LeadEdit.create(name="Ana B"), T0)
    ops = laptop.ops()
    shuffled = list(reversed(ops)) + ops[:2]
    first = desktop.receive(shuffled, T0)
    assert (first.applied, first.skipped, first.waiting) == (len(ops), 2, 0)
    again = desktop.receive(ops, T0)
    assert (again.applied, again.skipped) == (0, len(ops))
    assert synced_rows(laptop.db) == synced_rows(desktop.db)
    there = only_lead(desktop.db)
    assert lead_queries.get_lead(desktop.db, there).lead.unanswered == 3


def test_a_gap_holds_back_what_follows_until_it_is_filled(pair: tuple[Device, Device]) -> None:
    laptop, desktop = pair
    lead = leads.add_lead(laptop.db, NewLead.create(name="Ana", now=T0), T0)
    leads.edit_lead(laptop.db, lead.id, LeadEdit.create(name="Ana B"), T0)
    ops = laptop.ops()
    held = desktop.receive(ops[1:], T0)
    assert (held.applied, held.waiting) == (0, len(ops) - 1)
    assert lead_queries.list_leads(desktop.db) == []
    filled = desktop.receive(ops, T0)
    assert filled.applied == len(ops)
    assert lead_queries.get_lead(desktop.db, only_lead(desktop.db)).lead.name == "Ana B"


def test_a_change_to_a_lead_not_here_yet_is_kept_until_the_lead_comes(tmp_path: Path) -> None:
    a, b, c = (open_device(tmp_path, name, T0) for name in ("A", "B", "C"))
    lead = leads.add_lead(a.db, NewLead.create(name="Ana", now=T0), T0)
    b.pull(a, T0)
    leads.log_event(b.db, only_lead(b.db), SignalKind.CALL, at=T0, now=T0)
    early = c.pull(b, T0)  # B's call, about a lead C has not heard of
    assert early.applied == len(b.ops())
    assert early.waiting == 0
    assert lead_queries.list_leads(c.db) == []  # nothing shows before the lead itself
    c.receive(a.ops(), T0)
    timeline = lead_queries.get_lead(c.db, only_lead(c.db)).timeline
    assert SignalKind.CALL in [event.kind for event in timeline]
    assert synced_rows(a.db)["lead"] == synced_rows(c.db)["lead"]
    assert len(synced_rows(c.db)["event"]) == len(synced_rows(b.db)["event"])
    assert lead.id
    for device in (a, b, c):
        device.db.close()
