"""Undo and redo with sync on put a lead back by the rows that differ: what the other devices
receive is the change undone (an update of the fields edited, a delete of the event logged),
never the lead deleted with its whole history and written again. And the person sees the lead
exactly as it was before the change, or after it again on redo."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.errors import InvalidData, NotFound
from followthrough.services import alerts, leads
from followthrough.services.sync.record import enable_sync, ops_after, sync_status
from followthrough.services.timeline import LeadTimeline, lead_timeline
from followthrough.services.undo import (
    LeadSnapshot,
    record_change,
    restore_snapshot,
    take_snapshot,
)
from followthrough.store.db import Database
from tests.conftest import NOW

HOUR = timedelta(hours=1)
LATER = NOW + timedelta(days=3)  # the lead's silence alert is open by then
Op = tuple[str, str, tuple[str, ...] | None]
# What a move to Recycle changes on the lead (its synced fields).
MOVE_FIELDS = ("state", "state_since", "recycle_until")
# What the re-plan changes on the silence alert it clears, or that undo opens again.
ALERT_REOPENED = ("alert", "update", ("status", "resolved_at"))


@pytest.fixture
def synced(db: Database) -> Database:
    enable_sync(db, "Laptop", NOW)
    return db


def worked_lead(db: Database) -> int:
    """A lead with a history: arrival, a message out, and the silence alert it raised."""
    lead = leads.add_lead(
        db, NewLead.create(name="Ana", company="Acme", next_step="Pilot", now=NOW), NOW
    )
    leads.log_event(db, lead.id, SignalKind.SENT, at=NOW + HOUR, note="The plan", now=NOW + HOUR)
    assert [a.rule for a in alerts.tick(db, LATER)] == ["silence"]
    return lead.id


def _seq(db: Database) -> int:
    return sync_status(db).seq


def _ops(db: Database, after: int) -> list[Op]:
    return [
        (op["tbl"], op["kind"], None if op["changed"] is None else tuple(op["changed"]))
        for op in ops_after(db, after, 10_000)
    ]


@dataclasses.dataclass
class Recorded:
    """One change made as the app makes it (ui/undo.py), with the ops each step recorded."""

    db: Database
    before: LeadSnapshot
    after: LeadSnapshot
    done: list[Op]
    done_gids: list[str]
    gids: list[str] = dataclasses.field(default_factory=list)  # of the last undo or redo

    @classmethod
    def make(cls, db: Database, lead_id: int | None, work: Callable[[Database], int]) -> Recorded:
        seq = _seq(db)
        before, after = record_change(db, lead_id, work)
        return cls(db, before, after, _ops(db, seq), _gids(db, seq))

    def undo(self) -> list[Op]:
        seq = _seq(self.db)
        self.before = restore_snapshot(self.db, self.before, self.after, LATER)
        self.gids = _gids(self.db, seq)
        return _ops(self.db, seq)

    def redo(self) -> list[Op]:
        seq = _seq(self.db)
        self.after = restore_snapshot(self.db, self.after, self.before, LATER)
        self.gids = _gids(self.db, seq)
        return _ops(self.db, seq)


def _gids(db: Database, after: int) -> list[str]:
    return [op["gid"] for op in ops_after(db, after, 10_000)]


def _seen(db: Database, lead_id: int) -> LeadTimeline:
    """The lead as the person sees it: its fields, and its timeline with its alerts."""
    return lead_timeline(db, lead_id, LATER)


def test_undoing_a_name_edit_sends_the_old_name_only(synced: Database) -> None:
    lead = worked_lead(synced)
    shown = _seen(synced, lead)
    edit = Recorded.make(
        synced, lead, lambda d: leads.edit_lead(d, lead, LeadEdit.create(name="Ana Silva")).id
    )
    edited = _seen(synced, lead)
    assert edited.lead.name == "Ana Silva"

    assert edit.undo() == [("lead", "update", ("name",))]
    assert _seen(synced, lead) == shown
    assert edit.redo() == [("lead", "update", ("name",))]
    assert _seen(synced, lead) == edited
    assert edit.undo() == [("lead", "update", ("name",))]
    assert _seen(synced, lead) == shown


def test_undoing_a_move_sends_the_old_state_and_the_move_taken_off_the_timeline(
    synced: Database,
) -> None:
    lead = worked_lead(synced)
    shown = _seen(synced, lead)
    move = Recorded.make(
        synced,
        lead,
        lambda d: leads.move_lead(d, lead, State.RECYCLE, until=LATER + 30 * HOUR, now=LATER).id,
    )
    moved = _seen(synced, lead)
    assert moved.lead.state == State.RECYCLE
    move_event = move.done_gids[move.done.index(("event", "insert", None))]

    # The move's event goes before the lead's row changes back; the silence alert the move
    # cleared is opened again in place, as it was (the re-plan's part).
    undone = move.undo()
    assert undone == [("event", "delete", None), ("lead", "update", MOVE_FIELDS), ALERT_REOPENED]
    assert move.gids[0] == move_event  # that event, not another
    assert _seen(synced, lead) == shown
    assert move.redo() == [("lead", "update", MOVE_FIELDS), ("event", "insert", None),
                           ALERT_REOPENED]  # fmt: skip
    assert _seen(synced, lead) == moved


def test_undoing_a_logged_reply_sends_the_delete_of_that_event_only(synced: Database) -> None:
    lead = worked_lead(synced)
    shown = _seen(synced, lead)
    log = Recorded.make(
        synced, lead, lambda d: leads.log_event(d, lead, SignalKind.REPLIED, now=LATER).lead_id
    )
    logged = _seen(synced, lead)
    assert "Replied" in [entry.label for entry in logged.entries]
    assert log.done[0] == ("event", "insert", None)

    # Derived facts (the lead's last inbound time, its count of unanswered touches) change
    # back too, but are not synced: every device recomputes them.
    assert log.undo() == [("event", "delete", None), ALERT_REOPENED]
    assert log.gids[0] == log.done_gids[0]
    assert _seen(synced, lead) == shown
    assert log.redo() == [("event", "insert", None), ALERT_REOPENED]
    assert _seen(synced, lead) == logged


def test_undoing_a_delete_brings_the_lead_back_with_its_id_its_history_and_inserts_only(
    synced: Database,
) -> None:
    lead = worked_lead(synced)
    shown = _seen(synced, lead)
    deletion = Recorded.make(synced, lead, lambda d: leads.delete_lead(d, lead).id)
    with pytest.raises(NotFound):
        _seen(synced, lead)

    # The lead first, then what hangs off it.
    assert deletion.undo() == [
        ("lead", "insert", None),
        ("event", "insert", None),
        ("event", "insert", None),
        ("alert", "insert", None),
    ]
    assert _seen(synced, lead) == shown
    assert take_snapshot(synced, lead) == deletion.before
    # Put back under the names it had: the other machines see it come back, not a copy.
    assert deletion.gids[0] == deletion.done_gids[0]

    # Redo deletes the lead as the board does: one delete, its history going with it (and
    # kept aside, should a later change on another machine bring the lead back).
    assert deletion.redo() == [("lead", "delete", None)]
    with pytest.raises(NotFound):
        _seen(synced, lead)


def test_undoing_an_add_deletes_the_lead_and_redo_inserts_it_again(synced: Database) -> None:
    new = NewLead.create(name="Bo Chen", email="bo@example.com", now=NOW)
    add = Recorded.make(synced, None, lambda d: leads.add_lead(d, new, NOW).id)
    lead = add.after.lead_id
    added = _seen(synced, lead)

    assert add.undo() == [("lead", "delete", None)]
    with pytest.raises(NotFound):
        _seen(synced, lead)
    assert add.redo() == [("lead", "insert", None), ("event", "insert", None)]
    assert _seen(synced, lead) == added


def test_an_undo_refused_because_of_a_change_elsewhere_sends_nothing(synced: Database) -> None:
    lead = worked_lead(synced)
    edit = Recorded.make(
        synced, lead, lambda d: leads.edit_lead(d, lead, LeadEdit.create(company="Beta")).id
    )
    leads.log_event(synced, lead, SignalKind.REPLIED, now=LATER)  # the mail watch saw a reply
    meanwhile = _seen(synced, lead)
    seq = _seq(synced)

    with pytest.raises(InvalidData, match="changed since"):
        edit.undo()
    assert _ops(synced, seq) == []
    assert _seen(synced, lead) == meanwhile


def test_a_restore_that_hands_the_live_alert_to_another_episode_is_written_in_order(
    db: Database,
) -> None:
    """At most one live alert per lead and rule: the one ending is written before the one
    opening, whatever their order by id."""
    lead = worked_lead(db)
    [first] = alerts.list_alerts(db)
    alerts.resolve(db, first.id, AlertStatus.DONE, LATER)
    leads.log_event(db, lead, SignalKind.REPLIED, at=LATER + HOUR, now=LATER + HOUR)
    leads.log_event(db, lead, SignalKind.SENT, at=LATER + 2 * HOUR, now=LATER + 2 * HOUR)
    [second] = alerts.tick(db, LATER + timedelta(days=4))
    assert second.id > first.id
    current = take_snapshot(db, lead)
    old, new = current.alerts
    # A restore to a state where the first episode was the live one and the second was done.
    swapped = dataclasses.replace(
        current,
        alerts=(
            {**old, "status": AlertStatus.OPEN.value, "resolved_at": None},
            {**new, "status": AlertStatus.DONE.value, "resolved_at": LATER + 3 * HOUR},
        ),
    )

    restored = restore_snapshot(db, swapped, current, LATER + 3 * HOUR)

    # Written without a clash; the re-plan then clears the first (its silence was answered).
    assert [(a["id"], a["status"]) for a in restored.alerts] == [
        (old["id"], AlertStatus.CLEARED.value),
        (new["id"], AlertStatus.DONE.value),
    ]
