"""A device that leaves the sync folder and comes back, and one whose database goes back in
time (a backup restored): nothing done meanwhile is lost, nothing arrives twice.

Two machines are two data folders, each with its own SQLite file, syncing through one real
folder on disk, as a sync engine's folder looks once it has copied everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.paths import DataPaths, prepare_data_dir
from followthrough.services import leads
from followthrough.services.backups import make_manual_backup, restore_backup
from followthrough.services.clock import utcnow
from followthrough.services.lead_queries import get_lead, list_leads
from followthrough.services.sync.folder import SyncFolder
from followthrough.services.sync.record import sync_status
from followthrough.services.sync.service import (
    SyncPass,
    set_sync_folder,
    status,
    stop_syncing,
    sync_now,
    sync_pass,
)
from followthrough.store.db import Database

OLDER = re.compile(
    r"This copy of the data is older than what it had synced: it continues as a new device "
    r"and took back (\d+) changes from the folder\."
)


@dataclass
class Machine:
    name: str
    paths: DataPaths
    db: Database

    def sync(self) -> SyncPass:
        return sync_now(self.db)

    def add(self, name: str, **fields: str) -> int:
        now = utcnow()
        return leads.add_lead(self.db, NewLead.create(name=name, now=now, **fields), now).id

    def id_of(self, name: str) -> int:
        [found] = [lead.id for lead in list_leads(self.db, states=State) if lead.name == name]
        return found

    def board(self) -> list[tuple[str, str | None, str | None, str]]:
        """Every lead as the person sees it: name, company, phone, state."""
        return sorted(
            (lead.name, lead.company, lead.phone, lead.state.value)
            for lead in list_leads(self.db, states=State)
        )

    def timelines(self) -> dict[str, list[tuple[str, str | None]]]:
        """Each lead's timeline, oldest first: what happened, and what was written."""
        return {
            lead.name: [
                (event.kind, event.text) for event in reversed(get_lead(self.db, lead.id).timeline)
            ]
            for lead in list_leads(self.db, states=State)
        }

    def reopen(self) -> None:
        self.db = Database.open(self.paths)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "Sync"
    folder.mkdir()
    return folder


@pytest.fixture
def machines(tmp_path: Path, shared: Path) -> list[Machine]:
    made = []
    for name, data in (("Laptop", "laptop"), ("Desktop", "desktop")):
        paths = prepare_data_dir(tmp_path / data)
        machine = Machine(name, paths, Database.open(paths))
        set_sync_folder(machine.db, str(shared), name)
        made.append(machine)
    yield made
    for machine in made:
        machine.db.close()


def exchange(*machines: Machine) -> list[str]:
    """Each machine syncs, twice over (what one applied and wrote then reaches the other);
    every note the passes gave."""
    notes = []
    for _ in range(2):
        for machine in machines:
            notes += machine.sync().report.notes
    return notes


def test_what_is_changed_while_stopped_goes_out_once_the_folder_is_set_again(
    machines: list[Machine], shared: Path
) -> None:
    laptop, desktop = machines
    laptop.add("Dana Reyes", company="Beta")
    laptop.add("Old Contact")
    desktop.add("Bob Stone")
    exchange(laptop, desktop)
    assert laptop.board() == desktop.board()

    stop_syncing(laptop.db)
    assert sync_pass(laptop.db) is None  # nothing is synced while stopped
    assert status(laptop.db)[1] is None
    dana = laptop.id_of("Dana Reyes")
    leads.edit_lead(laptop.db, dana, LeadEdit.create(company="Acme"))
    leads.log_event(laptop.db, dana, SignalKind.SENT, note="Proposal sent")
    laptop.add("Carla Diaz")
    leads.delete_lead(laptop.db, laptop.id_of("Old Contact"))
    bob = desktop.id_of("Bob Stone")
    leads.edit_lead(desktop.db, bob, LeadEdit.create(phone="+33 1 23 45 67 89"))
    desktop.sync()
    assert "Carla Diaz" not in [name for name, *_ in desktop.board()]  # not sent meanwhile

    set_sync_folder(laptop.db, str(shared), "Laptop")
    # Sent as the changes they are (an edit, a message, a lead added, one deleted), not as
    # all of the laptop's data again for the desktop to merge.
    assert laptop.sync().report.sent >= 4
    exchange(laptop, desktop)
    expected = [
        ("Bob Stone", None, "+33 1 23 45 67 89", "hot"),
        ("Carla Diaz", None, None, "hot"),
        ("Dana Reyes", "Acme", None, "hot"),
    ]
    assert laptop.board() == expected
    assert desktop.board() == expected
    assert desktop.timelines() == laptop.timelines()
    assert desktop.timelines()["Dana Reyes"].count(("sent", "Proposal sent")) == 1
    # The device came back as itself: still two devices.
    assert [peer.name for peer in sync_status(desktop.db).peers] == ["Laptop"]
    assert laptop.sync().applied.applied == 0


def test_a_restored_backup_goes_on_as_a_new_device_and_takes_back_what_followed_it(
    machines: list[Machine], shared: Path
) -> None:
    laptop, desktop = machines
    old = sync_status(laptop.db).device
    assert old is not None
    dana = laptop.add("Dana Reyes", company="Beta")
    desktop.add("Bob Stone")
    exchange(laptop, desktop)
    backup = make_manual_backup(laptop.db)

    # After the backup: a lead added first (its change takes the very next number, and its
    # name with it), then an edit and a sent message; all synced.
    laptop.add("Evan Park")
    leads.edit_lead(laptop.db, dana, LeadEdit.create(company="Acme"))
    leads.log_event(laptop.db, dana, SignalKind.SENT, note="Proposal sent")
    exchange(laptop, desktop)
    assert "Evan Park" in [name for name, *_ in desktop.board()]

    laptop.db.close()
    restore_backup(laptop.paths, backup)
    laptop.reopen()
    assert "Evan Park" not in [name for name, *_ in laptop.board()]
    # Made on the restored copy before it syncs: numbered, and the lead named, like the
    # changes it lost.
    laptop.add("Fay Wong")
    leads.edit_lead(laptop.db, laptop.id_of("Dana Reyes"), LeadEdit.create(phone="555 0100"))

    said = [note for note in laptop.sync().report.notes if OLDER.fullmatch(note)]
    assert len(said) == 1
    took_back = OLDER.fullmatch(said[0])
    assert took_back is not None
    assert int(took_back[1]) >= 3  # the lead, the edit and the message, at least
    notes = exchange(desktop, laptop)
    assert not [note for note in notes if OLDER.fullmatch(note)]  # said once

    expected = [
        ("Bob Stone", None, None, "hot"),
        ("Dana Reyes", "Acme", "555 0100", "hot"),
        ("Evan Park", None, None, "hot"),
        ("Fay Wong", None, None, "hot"),
    ]
    assert laptop.board() == expected
    assert desktop.board() == expected
    assert desktop.timelines() == laptop.timelines()
    assert laptop.timelines()["Dana Reyes"].count(("sent", "Proposal sent")) == 1
    assert desktop.sync().applied.applied == 0
    assert laptop.sync().applied.applied == 0
    # The desktop knows the laptop before the restore and the laptop since, apart; the old
    # id is retired in the folder, so no device waits for it before folding old batches.
    assert [peer.name for peer in sync_status(desktop.db).peers] == [
        "Laptop",
        "Laptop (before a restore)",
    ]
    new = sync_status(laptop.db).device
    assert new != old
    assert SyncFolder(shared, str(new)).peer_info(old).retired_by == new


def test_a_restored_copy_that_made_more_changes_than_it_lost_is_still_found(
    machines: list[Machine],
) -> None:
    laptop, desktop = machines
    laptop.add("Dana Reyes")
    exchange(laptop, desktop)
    backup = make_manual_backup(laptop.db)
    laptop.add("Evan Park")  # lost by the restore, but in the folder
    laptop.sync()

    laptop.db.close()
    restore_backup(laptop.paths, backup)
    laptop.reopen()
    # More changes than the restore took away: this copy's log is longer than what the
    # folder holds of the device, but not the same.
    for name in ("Fay Wong", "Gus Moran", "Hana Ito"):
        laptop.add(name)
    dana = laptop.id_of("Dana Reyes")
    leads.log_event(laptop.db, dana, SignalKind.CALL, note="Called")

    assert [note for note in laptop.sync().report.notes if OLDER.fullmatch(note)]
    exchange(desktop, laptop)
    names = ["Dana Reyes", "Evan Park", "Fay Wong", "Gus Moran", "Hana Ito"]
    assert [name for name, *_ in laptop.board()] == names
    assert [name for name, *_ in desktop.board()] == names
    assert desktop.timelines() == laptop.timelines()
    assert desktop.timelines()["Dana Reyes"].count(("call", "Called")) == 1


def test_a_backup_older_than_what_the_folder_has_folded_away_is_found_too(
    machines: list[Machine],
) -> None:
    laptop, desktop = machines
    laptop.add("Dana Reyes")
    exchange(laptop, desktop)
    backup = make_manual_backup(laptop.db)
    # A day of use after the backup: the laptop's older files in the folder, applied by the
    # desktop, are folded into one snapshot and deleted.
    folded = 0
    for number in range(70):
        laptop.add(f"Lead {number:02d}")
        done = laptop.sync()
        folded += done.report.compacted.folded_batches if done.report.compacted else 0
        desktop.sync()
    assert folded > 0

    laptop.db.close()
    restore_backup(laptop.paths, backup)
    laptop.reopen()
    laptop.add("Fay Wong")  # made on the restored copy, numbered like a lost change

    said = [note for note in laptop.sync().report.notes if OLDER.fullmatch(note)]
    assert len(said) == 1
    took_back = OLDER.fullmatch(said[0])
    assert took_back is not None
    assert int(took_back[1]) >= 70
    exchange(desktop, laptop)
    names = ["Dana Reyes", "Fay Wong", *(f"Lead {number:02d}" for number in range(70))]
    assert sorted(name for name, *_ in laptop.board()) == sorted(names)
    assert sorted(name for name, *_ in desktop.board()) == sorted(names)
    assert desktop.timelines() == laptop.timelines()
