"""Two machines, one pipeline, through two real Syncthing instances on loopback (their own
homes and ports, introduced through their REST API, one folder shared): each machine has its
own Followthrough data folder and syncs through its own copy of the shared folder.

A lead added and logged on A appears on B; edits made on both while Syncthing is paused merge
by the rules once it resumes; a delete propagates; an alert raised on both is one alert, and
Done on B clears it on A.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.paths import prepare_data_dir
from followthrough.services import alerts, leads
from followthrough.services.clock import utcnow
from followthrough.services.sync.service import set_sync_folder, sync_now
from followthrough.store.db import Database
from followthrough.store.models import Alert, Event, Lead
from tests.support.syncthing import SyncthingCluster


@dataclass
class Machine:
    name: str
    db: Database

    def lead(self, name: str) -> Lead | None:
        with self.db.read() as session:
            return session.exec(select(Lead).where(Lead.name == name)).first()

    def lead_id(self, name: str) -> int:
        found = self.lead(name)
        assert found is not None, f"{name} is not on {self.name}"
        assert found.id is not None
        return found.id

    def kinds(self, name: str) -> list[str]:
        with self.db.read() as session:
            return list(session.exec(
                select(Event.kind).where(Event.lead_id == self.lead_id(name))
                .order_by(col(Event.at), col(Event.id))
            ))  # fmt: skip

    def alerts_of(self, name: str) -> list[tuple[str, str]]:
        with self.db.read() as session:
            rows = session.exec(select(Alert).where(Alert.lead_id == self.lead_id(name)))
            return sorted((a.rule, a.status) for a in rows)


@pytest.fixture
def machines(
    syncthing_pair: SyncthingCluster, tmp_path: Path
) -> Iterator[tuple[Machine, Machine, SyncthingCluster]]:
    now = utcnow()
    a = Machine("Laptop", Database.open(prepare_data_dir(tmp_path / "laptop"), now))
    b = Machine("Desktop", Database.open(prepare_data_dir(tmp_path / "desktop"), now))
    set_sync_folder(a.db, str(syncthing_pair.a.folder), a.name, now)
    set_sync_folder(b.db, str(syncthing_pair.b.folder), b.name, now)
    yield a, b, syncthing_pair
    a.db.close()
    b.db.close()


def exchange(cluster: SyncthingCluster, *machines: Machine, rounds: int = 2) -> None:
    """Each machine syncs, Syncthing carries the files, each syncs again (twice over, so
    what one applied and then wrote reaches the other)."""
    for _ in range(rounds):
        for machine in machines:
            sync_now(machine.db)
        cluster.scan()
        cluster.wait_synced()
        for machine in machines:
            sync_now(machine.db)


def test_a_lead_added_and_logged_on_one_machine_appears_on_the_other(
    machines: tuple[Machine, Machine, SyncthingCluster],
) -> None:
    a, b, cluster = machines
    now = utcnow()
    dana = leads.add_lead(
        a.db, NewLead.create(name="Dana Reyes", email="dana@acme.io", now=now), now
    )
    leads.log_event(a.db, dana.id, SignalKind.SENT, now=now + timedelta(seconds=1))
    exchange(cluster, a, b)
    assert b.kinds("Dana Reyes") == a.kinds("Dana Reyes")
    assert "sent" in b.kinds("Dana Reyes")
    copy = b.lead("Dana Reyes")
    assert copy is not None
    assert (copy.email, copy.state, copy.unanswered) == ("dana@acme.io", "hot", 1)


def test_offline_edits_merge_a_delete_propagates_and_alerts_are_one(
    machines: tuple[Machine, Machine, SyncthingCluster],
) -> None:
    a, b, cluster = machines
    start = utcnow()
    for name in ("Dana Reyes", "Bob Stone"):
        made = leads.add_lead(a.db, NewLead.create(name=name, now=start), start)
        # Written to, long ago, with no answer: a silence alert is due on both machines.
        leads.log_event(a.db, made.id, SignalKind.SENT, at=start - timedelta(days=30), now=start)
    exchange(cluster, a, b)
    assert b.lead("Bob Stone") is not None

    # Offline: Syncthing paused, both machines change the same lead.
    cluster.pause()
    on_a, on_b = a.lead_id("Dana Reyes"), b.lead_id("Dana Reyes")
    leads.edit_lead(a.db, on_a, LeadEdit.create(company="Acme"))
    leads.edit_lead(b.db, on_b, LeadEdit.create(phone="+33 1 23 45 67 89"))
    leads.move_lead(b.db, on_b, State.WARM)
    leads.delete_lead(a.db, a.lead_id("Bob Stone"))
    for machine in (a, b):
        sync_now(machine.db)  # written to each machine's own copy only
    cluster.resume()
    cluster.wait_connected()
    exchange(cluster, a, b)

    for machine in (a, b):
        dana = machine.lead("Dana Reyes")
        assert dana is not None
        assert (dana.company, dana.phone, dana.state) == ("Acme", "+33 1 23 45 67 89", "warm")
        assert machine.lead("Bob Stone") is None

    # The same alert raised by both machines' ticks is one alert on each.
    later = utcnow()
    for machine in (a, b):
        alerts.tick(machine.db, later)
    exchange(cluster, a, b)
    assert a.alerts_of("Dana Reyes") == b.alerts_of("Dana Reyes")
    assert [rule for rule, _ in a.alerts_of("Dana Reyes")].count("silence") == 1

    # Done on B clears it on A.
    with b.db.read() as session:
        alert_id = session.exec(
            select(Alert.id).where(Alert.lead_id == on_b, Alert.rule == "silence")
        ).one()
    alerts.resolve(b.db, alert_id, AlertStatus.DONE)
    exchange(cluster, a, b)
    assert ("silence", "done") in a.alerts_of("Dana Reyes")
