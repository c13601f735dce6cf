"""Undo and redo of a change to a lead: exactly the rows back, in one transaction per change."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta

import pytest

from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.errors import InvalidData
from followthrough.services import alerts, leads
from followthrough.services.drafting import mark_sent
from followthrough.services.undo import (
    LeadSnapshot,
    record_change,
    restore_snapshot,
    take_snapshot,
)
from followthrough.store.db import Database
from tests.conftest import NOW

HOUR = timedelta(hours=1)
LATER = NOW + 3 * timedelta(days=1)  # the hot lead's silence alert is open by then
Change = Callable[[Database, int], int]


def worked_lead(db: Database) -> int:
    """A lead with a history: arrival, a message out, and the silence alert it raised."""
    lead = leads.add_lead(
        db, NewLead.create(name="Ana Silva", company="Acme", next_step="Pilot", now=NOW), NOW
    )
    leads.log_event(db, lead.id, SignalKind.SENT, at=NOW + HOUR, note="The plan", now=NOW + HOUR)
    assert [a.rule for a in alerts.tick(db, LATER)] == ["silence"]
    return lead.id


def _open_alert(db: Database, lead_id: int) -> int:
    [alert] = [a for a in alerts.list_alerts(db) if a.lead_id == lead_id]
    return alert.id


def _sent(db: Database, lead_id: int) -> int:
    """The draft went out: logged, its alert closed and the next step set, all in one."""
    mark_sent(db, lead_id, subject="Pilot", body="Shall we start?", template=None,
              alert_id=_open_alert(db, lead_id), next_step="Call", next_step_due=None,
              now=LATER)  # fmt: skip
    return lead_id


CHANGES: dict[str, Change] = {
    "edit": lambda db, i: leads.edit_lead(db, i, LeadEdit.create(company="Beta"), LATER).id,
    "move": lambda db, i: leads.move_lead(db, i, State.WARM, now=LATER).id,
    "log": lambda db, i: leads.log_event(db, i, SignalKind.REPLIED, now=LATER).lead_id,
    "delete": lambda db, i: leads.delete_lead(db, i).id,
    "sent": _sent,
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_undo_puts_back_exactly_the_rows_before_and_redo_the_rows_after(
    db: Database, name: str
) -> None:
    lead_id = worked_lead(db)
    stored_before = take_snapshot(db, lead_id)

    before, after = record_change(db, lead_id, lambda d: CHANGES[name](d, lead_id))

    assert before == stored_before
    assert after == take_snapshot(db, lead_id)
    assert after != before
    undone = restore_snapshot(db, before, after, LATER)
    assert take_snapshot(db, lead_id) == undone
    assert undone.same_record(before)
    assert undone.alerts == before.alerts  # the open alert is open again, as it was
    redone = restore_snapshot(db, after, undone, LATER)
    assert take_snapshot(db, lead_id) == redone
    assert redone.same_record(after)
    assert redone.alerts == after.alerts


def test_undo_of_an_add_removes_the_lead_and_redo_brings_it_back_with_its_id(
    db: Database,
) -> None:
    new = NewLead.create(name="Bo Chen", email="bo@example.com", now=NOW)

    before, after = record_change(db, None, lambda d: leads.add_lead(d, new, NOW).id)

    assert before == LeadSnapshot(after.lead_id, None)
    assert after.lead is not None
    assert after.lead["name"] == "Bo Chen"
    assert len(after.events) == 1  # its arrival
    undone = restore_snapshot(db, before, after, NOW)
    assert take_snapshot(db, after.lead_id) == LeadSnapshot(after.lead_id, None)
    restore_snapshot(db, after, undone, NOW)
    assert take_snapshot(db, after.lead_id) == after


def test_a_change_that_fails_leaves_nothing_behind_not_even_its_first_half(
    db: Database,
) -> None:
    lead_id = worked_lead(db)
    stored = take_snapshot(db, lead_id)

    def edit_then_fail(d: Database) -> int:
        leads.edit_lead(d, lead_id, LeadEdit.create(company="Beta"), LATER)  # this one works
        leads.log_event(d, lead_id, SignalKind.REPLIED, at=LATER + HOUR, now=LATER)  # refused
        return lead_id

    with pytest.raises(InvalidData):
        record_change(db, lead_id, edit_then_fail)
    assert take_snapshot(db, lead_id) == stored


def test_a_failure_of_the_caller_inside_the_change_also_writes_nothing(db: Database) -> None:
    new = NewLead.create(name="Bo Chen", now=NOW)

    def add_then_fail(d: Database) -> int:
        leads.add_lead(d, new, NOW)
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        record_change(db, None, add_then_fail)
    with closing(sqlite3.connect(db.path)) as conn:
        assert conn.execute("SELECT count(*) FROM lead").fetchone() == (0,)


def test_nothing_else_writes_between_the_snapshots_and_the_change(db: Database) -> None:
    lead_id = worked_lead(db)
    seen: dict[str, object] = {}

    def edit_and_look_from_outside(d: Database) -> int:
        changed = leads.edit_lead(d, lead_id, LeadEdit.create(company="Beta"), LATER).id
        with closing(sqlite3.connect(db.path, timeout=0)) as other:
            # Another process sees the lead as it was, and cannot write until the after-snapshot
            # has been taken and the transaction committed.
            seen["company"] = other.execute(
                "SELECT company FROM lead WHERE id = ?", (lead_id,)
            ).fetchone()[0]
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        return changed

    _, after = record_change(db, lead_id, edit_and_look_from_outside)

    assert seen["company"] == "Acme"
    assert after.lead is not None
    assert after.lead["company"] == "Beta"


def test_undo_is_refused_when_the_lead_changed_elsewhere_and_nothing_moves(
    db: Database,
) -> None:
    lead_id = worked_lead(db)
    before, after = record_change(
        db, lead_id, lambda d: leads.edit_lead(d, lead_id, LeadEdit.create(company="Beta")).id
    )
    leads.log_event(db, lead_id, SignalKind.REPLIED, now=LATER)  # the mail watch saw a reply
    meanwhile = take_snapshot(db, lead_id)

    with pytest.raises(InvalidData, match="changed since"):
        restore_snapshot(db, before, after, LATER)
    assert take_snapshot(db, lead_id) == meanwhile
