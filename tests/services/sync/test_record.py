"""What this device records once sync is on: every service that changes the pipeline leaves
exactly the ops another device needs (table, kind, the fields that changed), in its own
transaction; and the sync state's own services (enable, status, the ops as exchanged, the
clock moved by a received stamp, the applier's silence)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import pytest

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.hlc import parse_hlc
from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.mailaccount import MailAccount
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.domain.states import State
from followthrough.errors import InvalidData
from followthrough.services import alerts, leads, policy, templates
from followthrough.services.mailwatch import check_mail
from followthrough.services.signal_log import SignalEntry, log_signals
from followthrough.services.sync.record import (
    applying,
    disable_sync,
    enable_sync,
    gid_of,
    local_id,
    observe,
    ops_after,
    sync_status,
)
from followthrough.services.undo import record_change, restore_snapshot
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.support.mailserver import MailServer, message

Op = tuple[str, str, tuple[str, ...] | None]
# What a move also changes on the lead besides its state.
MOVE_FIELDS = ("state", "state_since")
_folder_numbers = itertools.count(1)


def _add(db: Database, name: str, email: str | None = None) -> int:
    at = NOW - timedelta(days=5)
    new = NewLead.create(name=name, email=email, next_step="Pilot", now=at)
    return leads.add_lead(db, new, at).id


def _seq(db: Database) -> int:
    return sync_status(db).seq


def _ops(db: Database, after: int) -> list[Op]:
    return [
        (op["tbl"], op["kind"], None if op["changed"] is None else tuple(op["changed"]))
        for op in ops_after(db, after, 10_000)
    ]


@pytest.fixture
def account(server: MailServer) -> MailAccount:
    """An account reading two folders of its own, so tests sharing the server stay apart."""
    n = next(_folder_numbers)
    inbox, sent = f"sync-in{n}", f"sync-out{n}"
    server.append(inbox)
    server.append(sent)
    return server.account(inbox=inbox, sent=sent)


@pytest.fixture
def synced(db: Database) -> Database:
    enable_sync(db, "Laptop", NOW)
    return db


def test_adding_a_lead_records_the_lead_and_its_arrival(synced: Database) -> None:
    _add(synced, "Ana")
    assert _ops(synced, 0) == [("lead", "insert", None), ("event", "insert", None)]


def test_an_edit_records_the_fields_it_changed_and_nothing_derived(synced: Database) -> None:
    lead = _add(synced, "Ana")
    seq = _seq(synced)
    leads.edit_lead(synced, lead, LeadEdit.create(name="Ana Silva", company="Acme"), NOW)
    leads.set_next_step(synced, lead, "Call", NOW + timedelta(days=1), NOW)
    assert _ops(synced, seq) == [
        ("lead", "update", ("name", "company")),
        ("lead", "update", ("next_step", "next_step_due")),
    ]
    # Saving the same values again (the re-plan still runs) records nothing.
    seq = _seq(synced)
    leads.edit_lead(synced, lead, LeadEdit.create(name="Ana Silva"), NOW + timedelta(hours=1))
    assert _ops(synced, seq) == []


def test_a_move_records_the_state_and_its_timeline_entry(synced: Database) -> None:
    lead = _add(synced, "Ana")
    seq = _seq(synced)
    leads.move_lead(synced, lead, State.RECYCLE, until=NOW + timedelta(days=30), now=NOW)
    # The ORM writes the new timeline row before the changed lead: the order within one
    # transaction is the ORM's; each op carries what its row needs.
    assert _ops(synced, seq) == [
        ("event", "insert", None),
        ("lead", "update", (*MOVE_FIELDS, "recycle_until")),
    ]


def test_logging_a_signal_records_the_event_only(synced: Database) -> None:
    lead = _add(synced, "Ana")
    seq = _seq(synced)
    leads.log_event(synced, lead, SignalKind.SENT, at=NOW - timedelta(days=4), now=NOW)
    assert _ops(synced, seq) == [("event", "insert", None)]


def test_signals_logged_in_bulk_record_one_op_each(synced: Database) -> None:
    ana, bob = _add(synced, "Ana"), _add(synced, "Bob")
    seq = _seq(synced)
    with synced.write() as session:
        log_signals(
            session,
            [
                SignalEntry(lead, SignalKind.SENT, NOW - timedelta(hours=h), Direction.OUT,
                            Channel.EMAIL)
                for lead, h in ((ana, 3), (bob, 2), (ana, 1))
            ],
            NOW,
        )  # fmt: skip
    ops = ops_after(synced, seq)
    assert [(o["tbl"], o["kind"]) for o in ops] == [("event", "insert")] * 3
    with synced.read() as session:
        conn = session.connection()
        assert [o["row"]["lead_id"] for o in ops] == [
            gid_of(conn, "lead", lead) for lead in (ana, bob, ana)
        ]


def test_a_mail_pass_records_its_events_and_seen_messages_not_its_position(
    synced: Database, server: MailServer, account: MailAccount
) -> None:
    _add(synced, "Ana", "ana@acme.io")
    server.append(
        account.inbox,
        message("ana@acme.io", "me@example.com", "Re: Quote", date=NOW - timedelta(hours=2)),
        message("ana@acme.io", "me@example.com", "Re: Price", date=NOW - timedelta(hours=1)),
    )
    seq = _seq(synced)
    check_mail(synced, account, server.password, now=NOW)
    # The folder positions (setting "mail.watch") stay on this machine.
    assert (
        _ops(synced, seq) == [("event", "insert", None)] * 2 + [("mail_seen", "insert", None)] * 2
    )


def test_alerts_raised_by_a_tick_and_marked_done_or_snoozed(synced: Database) -> None:
    ana, bob = _add(synced, "Ana"), _add(synced, "Bob")
    for lead in (ana, bob):
        leads.log_event(synced, lead, SignalKind.SENT, at=NOW - timedelta(days=4), now=NOW)
    seq = _seq(synced)
    raised = alerts.tick(synced, NOW)
    assert _ops(synced, seq) == [("alert", "insert", None)] * len(raised)
    assert len(raised) == 2
    seq = _seq(synced)
    alerts.resolve(synced, raised[0].id, AlertStatus.DONE, NOW)
    alerts.snooze(synced, raised[1].id, NOW + timedelta(days=1), NOW)
    assert _ops(synced, seq) == [
        ("alert", "update", ("status", "resolved_at")),
        ("alert", "update", ("status", "snoozed_until", "snoozes")),
    ]
    gids = [op["gid"] for op in ops_after(synced, seq)]
    with synced.read() as session:
        lead_gid = gid_of(session.connection(), "lead", raised[0].lead_id)
    assert gids[0] == f"{lead_gid}|{raised[0].rule}|{_episode(synced, raised[0].id)}"


def _episode(db: Database, alert_id: int) -> str:
    with db.read() as session:
        value = (
            session.connection()
            .exec_driver_sql("SELECT episode FROM alert WHERE id = ?", (alert_id,))
            .scalar()
        )
    return str(value)


def test_deleting_a_lead_records_its_delete_and_keeps_its_rows_aside(synced: Database) -> None:
    lead = _add(synced, "Ana")
    leads.log_event(synced, lead, SignalKind.SENT, at=NOW - timedelta(days=4), now=NOW)
    assert alerts.tick(synced, NOW)
    seq = _seq(synced)
    leads.delete_lead(synced, lead)
    # The lead's delete speaks for its timeline and alerts: one operation. Their last values
    # stay aside, should another machine's later change bring the lead back.
    assert _ops(synced, seq) == [("lead", "delete", None)]
    with synced.read() as session:
        parked = (
            session.connection()
            .exec_driver_sql("SELECT tbl, count(*) FROM sync_parked GROUP BY tbl ORDER BY tbl")
            .all()
        )
    assert [tuple(row) for row in parked] == [("alert", 1), ("event", 2), ("lead", 1)]


def test_undo_records_the_lead_put_back(synced: Database) -> None:
    lead = _add(synced, "Ana")
    before, after = record_change(
        synced,
        lead,
        lambda tx: leads.edit_lead(tx, lead, LeadEdit.create(name="Ana Silva"), NOW).id,
    )
    seq = _seq(synced)
    restore_snapshot(synced, before, after, NOW)
    # Undo writes back only what differs (tests/services/test_undo_in_place.py has the rest).
    [op] = ops_after(synced, seq)
    assert (op["tbl"], op["kind"], op["changed"]) == ("lead", "update", ["name"])
    assert op["row"]["name"] == "Ana"


def test_saving_a_template_and_the_policy(synced: Database) -> None:
    seq = _seq(synced)
    copy = templates.duplicate_template(synced, templates.list_templates(synced)[0].slug)
    templates.save_template(synced, dataclasses.replace(copy, title="Mine"), copy.slug)
    policy.update_policy(synced, {"hot_silence_days": 3}, NOW)
    ops = ops_after(synced, seq)
    assert [(o["tbl"], o["gid"], o["kind"]) for o in ops][:2] == [
        ("template", copy.slug, "insert"),
        ("template", copy.slug, "update"),
    ]
    assert "title" in ops[1]["changed"]
    assert [(o["tbl"], o["gid"], o["kind"]) for o in ops][2:] == [("setting", "policy", "insert")]


def test_a_write_that_fails_records_nothing(synced: Database) -> None:
    _add(synced, "Ana", "ana@acme.io")
    seq = _seq(synced)
    with pytest.raises(InvalidData):
        _add(synced, "Ana again", "ana@acme.io")
    assert _ops(synced, seq) == []
    assert _seq(synced) == seq


def test_with_sync_off_nothing_is_recorded(db: Database) -> None:
    lead = _add(db, "Ana")
    leads.move_lead(db, lead, State.WON, now=NOW)
    assert ops_after(db, 0) == []
    status = sync_status(db)
    assert (status.enabled, status.device, status.seq, status.clock) == (False, None, 0, None)


def test_enabling_gives_existing_rows_gids_and_stamps_without_ops(db: Database) -> None:
    lead = _add(db, "Ana")
    policy.update_policy(db, {"hot_silence_days": 3}, NOW)
    device = enable_sync(db, "  My   laptop ", NOW)
    status = sync_status(db)
    assert (status.enabled, status.device, status.device_name) == (True, device, "My laptop")
    assert ops_after(db, 0) == []
    with db.read() as session:
        conn = session.connection()
        assert gid_of(conn, "lead", lead) == f"{device}:{lead}"
        assert local_id(conn, "lead", f"{device}:{lead}") == lead
        stamps = conn.exec_driver_sql(
            "SELECT DISTINCT hlc FROM sync_clock WHERE gid IN (?, 'policy')", (f"{device}:{lead}",)
        ).all()
    assert [parse_hlc(h).device for (h,) in stamps] == [device]
    # Enabling again keeps the device; disabling stops recording and keeps what was known.
    assert enable_sync(db, "Laptop", NOW) == device
    disable_sync(db)
    leads.move_lead(db, lead, State.WON, now=NOW)
    assert ops_after(db, 0) == []
    assert not sync_status(db).enabled


def test_a_device_name_must_say_something(db: Database) -> None:
    with pytest.raises(InvalidData, match="device name"):
        enable_sync(db, "   ", NOW)
    assert not sync_status(db).enabled


def test_ops_are_exchanged_as_json_objects_numbered_from_one(synced: Database) -> None:
    _add(synced, "Ana")
    ops = ops_after(synced, 0)
    device = sync_status(synced).device
    assert [op["seq"] for op in ops] == [1, 2]
    assert ops[0] == {
        "hlc": ops[0]["hlc"],
        "device": device,
        "seq": 1,
        "tbl": "lead",
        "gid": f"{device}.1",  # named by the operation that made it: never reused
        "kind": "insert",
        "row": ops[0]["row"],
        "changed": None,
    }
    assert ops[0]["row"]["name"] == "Ana"
    assert ops[1]["row"]["lead_id"] == f"{device}.1"
    assert parse_hlc(ops[0]["hlc"]).device == device
    assert ops_after(synced, 1) == ops[1:]
    assert ops_after(synced, 0, limit=1) == ops[:1]


def test_a_received_stamp_hours_ahead_orders_the_next_local_edit_after_it(
    synced: Database,
) -> None:
    lead = _add(synced, "Ana")
    ahead = parse_hlc(ops_after(synced, 0)[-1]["hlc"])
    remote = f"{ahead.wall + 3 * 3_600_000:015d}-00004-bbbbbbbbbbbbbbbb"
    observed = observe(synced, remote, NOW)
    assert observed > remote
    seq = _seq(synced)
    leads.edit_lead(synced, lead, LeadEdit.create(name="Ana Silva"), NOW)
    assert ops_after(synced, seq)[0]["hlc"] > observed


def test_what_the_applier_writes_is_not_recorded_and_rolls_back_with_it(
    synced: Database,
) -> None:
    lead = _add(synced, "Ana")
    seq = _seq(synced)
    with synced.write() as session, applying(session):
        session.connection().exec_driver_sql(
            "UPDATE lead SET name = 'From the desktop' WHERE id = ?", (lead,)
        )
    assert _ops(synced, seq) == []
    leads.edit_lead(synced, lead, LeadEdit.create(name="Mine"), NOW)
    assert _ops(synced, seq) == [("lead", "update", ("name",))]


def test_a_renamed_template_keeps_the_gid_it_was_made_with(synced: Database) -> None:
    copy = templates.duplicate_template(synced, templates.list_templates(synced)[0].slug)
    seq = _seq(synced)
    templates.save_template(synced, dataclasses.replace(copy, slug="my-own"), copy.slug)
    [op] = ops_after(synced, seq)
    assert (op["gid"], op["kind"], op["row"]["slug"]) == (copy.slug, "update", "my-own")
    assert "slug" in op["changed"]
    templates.delete_template(synced, "my-own")
    assert [(o["gid"], o["kind"]) for o in ops_after(synced, seq)][1:] == [(copy.slug, "delete")]
