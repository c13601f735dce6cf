"""Clocks that disagree by hours: one machine three hours ahead, the other three hours behind.

The hybrid logical clock keeps a person's edits in the order they made them, whichever
machine they made them on, once a machine has heard of the other's changes; nothing is lost
and nothing is applied twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import SignalKind
from followthrough.services import leads
from followthrough.store.db import Database
from tests.services.sync.sync_devices import Device, open_device, synced_rows

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOURS_3 = 3 * 3600 * 1000


def skew(db: Database, milliseconds: int) -> None:
    """This machine's clock, as the recording triggers read it, off by `milliseconds`."""
    with db.write() as session:
        session.connection().exec_driver_sql(
            "UPDATE sync_state SET skew_ms = ? WHERE id = 1", (milliseconds,)
        )


def company(device: Device, name: str) -> str | None:
    [found] = [row["company"] for row in synced_rows(device.db)["lead"].values()
               if row["name"] == name]  # fmt: skip
    return found


def test_edits_keep_the_order_they_were_made_in_across_machines_hours_apart(
    tmp_path: Path,
) -> None:
    ahead = open_device(tmp_path, "Ahead", T0)
    behind = open_device(tmp_path, "Behind", T0)
    skew(ahead.db, +HOURS_3)
    skew(behind.db, -HOURS_3)

    dana = leads.add_lead(ahead.db, NewLead.create(name="Dana Reyes", now=T0), T0).id
    leads.edit_lead(ahead.db, dana, LeadEdit.create(company="1 first, on the machine ahead"))
    behind.pull(ahead, T0)
    # Later, the person edits the same field on the machine whose clock is six hours behind
    # the other's: it has heard of the first edit, so its edit comes after it.
    with behind.db.read() as session:
        on_behind = (
            session.connection()
            .exec_driver_sql("SELECT id FROM lead WHERE name = 'Dana Reyes'")
            .scalar_one()
        )
    leads.edit_lead(
        behind.db, on_behind, LeadEdit.create(company="2 second, on the machine behind")
    )
    leads.log_event(behind.db, on_behind, SignalKind.CALL, now=T0 + timedelta(minutes=5))
    ahead.pull(behind, T0)

    for device in (ahead, behind):
        assert company(device, "Dana Reyes") == "2 second, on the machine behind", device.name
    # Nothing lost, nothing twice: the same rows on both, whatever is delivered again.
    ahead.pull(behind, T0)
    behind.pull(ahead, T0)
    assert synced_rows(ahead.db) == synced_rows(behind.db)
    calls = [e for e in synced_rows(ahead.db)["event"].values() if e["kind"] == "call"]
    assert len(calls) == 1

    # Each machine's own edits stay in order, even with its clock three hours behind the
    # stamps it has already seen.
    leads.edit_lead(behind.db, on_behind, LeadEdit.create(company="3 third"))
    leads.edit_lead(behind.db, on_behind, LeadEdit.create(company="4 fourth"))
    ahead.pull(behind, T0)
    assert company(ahead, "Dana Reyes") == "4 fourth"
