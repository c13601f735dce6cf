"""The sync watcher: two machines as two data folders with their own SQLite files, sharing one
sync folder. A lead added on the other machine reaches this one's board after a pass, a pass
starts by itself when the other machine's files arrive and when something changes here, the
status bar says with whom it synced, and a read-only folder pauses sync and recovers.

The watcher's minute is a real minute, so its timer never fires during a test: passes come
from check_now(), a change here, or the folder's files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.paths import prepare_data_dir
from followthrough.services import leads
from followthrough.services.clock import utcnow
from followthrough.services.sync.folder import SyncFolder
from followthrough.services.sync.folder_files import FORMAT
from followthrough.services.sync.record import sync_status
from followthrough.services.sync.service import set_sync_folder, sync_now
from followthrough.store.db import Database
from followthrough.ui.changes import LEADS
from followthrough.ui.ops import Operations
from followthrough.ui.syncwatcher import SyncCheck, SyncWatcher
from tests.support.readonly import read_only_folder
from tests.ui.cards import names, shown_window

WAIT = 15000  # ms; a pass on a local folder takes well under a second


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """The folder Syncthing or Dropbox would replicate; here both machines see the same one."""
    folder = tmp_path / "Sync"
    folder.mkdir()
    return folder


@pytest.fixture
def desktop(tmp_path: Path, shared: Path) -> Iterator[Database]:
    """The other machine: its own data folder and database, syncing through `shared`."""
    other = Database.open(prepare_data_dir(tmp_path / "desktop-data"))
    set_sync_folder(other, str(shared), "Desktop")
    yield other
    other.close()


@pytest.fixture
def watcher(qtbot: QtBot, db: Database, ops: Operations, shared: Path) -> Iterator[SyncWatcher]:
    """This machine ("Laptop"), syncing through `shared`, its passes announced soon."""
    set_sync_folder(db, str(shared), "Laptop")
    watching = SyncWatcher(ops, soon_ms=50)
    yield watching
    watching.stop()


def add(db: Database, name: str) -> None:
    leads.add_lead(db, NewLead.create(name=name, now=utcnow()))


def one_pass(qtbot: QtBot, watcher: SyncWatcher) -> SyncCheck:
    with qtbot.waitSignal(watcher.checked, timeout=WAIT) as passed:
        assert watcher.check_now()
    check = passed.args[0]
    assert isinstance(check, SyncCheck)
    return check


def test_a_lead_added_on_the_other_machine_shows_on_the_board_after_a_pass(
    qtbot: QtBot, watcher: SyncWatcher, desktop: Database, ops: Operations
) -> None:
    window = shown_window(qtbot, ops)
    watcher.line_changed.connect(window.show_sync_status)  # as the app's session does
    lines: list[str] = []
    watcher.line_changed.connect(lines.append)
    first = one_pass(qtbot, watcher)  # this machine's first pass: nobody else yet
    assert first.applied == 0
    assert watcher.line == "Synced just now"

    add(desktop, "Dana Reyes")
    sync_now(desktop)
    with qtbot.waitSignal(window.board_loaded, timeout=WAIT):
        check = one_pass(qtbot, watcher)
    assert check.applied >= 1
    assert "Dana Reyes" in names(window, State.HOT)
    assert watcher.line == "Synced just now with Desktop"
    assert window.sync_status.text() == "Synced just now with Desktop"
    assert [peer.name for peer in check.peers] == ["Desktop"]
    assert lines == ["Synced just now", "Synced just now with Desktop"]
    assert watcher.status == ""
    assert watcher.next_delay_minutes == 1

    # Nothing new: nothing applied, and the board is not asked to read again.
    changed: list[object] = []
    ops.changed.connect(changed.append)
    assert one_pass(qtbot, watcher).applied == 0
    assert changed == []


def test_files_arriving_from_the_other_machine_start_a_pass_by_themselves(
    qtbot: QtBot, watcher: SyncWatcher, desktop: Database, db: Database
) -> None:
    sync_now(desktop)  # the other machine's folder is there before this one watches
    one_pass(qtbot, watcher)
    add(desktop, "Bob Stone")
    with qtbot.waitSignal(watcher.checked, timeout=WAIT) as passed:
        sync_now(desktop)  # its batch lands in the folder; nobody calls check_now
    assert passed.args[0].applied >= 1
    with db.read() as session:
        got = session.connection().exec_driver_sql("SELECT name FROM lead").scalars().all()
    assert got == ["Bob Stone"]


def test_a_change_made_here_is_written_to_the_folder_soon_after(
    qtbot: QtBot, watcher: SyncWatcher, desktop: Database, db: Database, ops: Operations
) -> None:
    one_pass(qtbot, watcher)
    with qtbot.waitSignal(watcher.checked, timeout=WAIT) as passed:
        ops.run(lambda db_: add(db_, "Ana Lima"), writes=LEADS)
    assert passed.args[0].done.report.sent >= 1
    sync_now(desktop)
    with desktop.read() as session:
        got = session.connection().exec_driver_sql("SELECT name FROM lead").scalars().all()
    assert got == ["Ana Lima"]
    assert sync_status(db).seq >= 1


def test_a_read_only_sync_folder_pauses_sync_with_one_sentence_and_recovers(
    qtbot: QtBot, watcher: SyncWatcher, desktop: Database, db: Database, shared: Path
) -> None:
    first = one_pass(qtbot, watcher)
    own = shared / "followthrough-sync" / "v1" / first.device
    add(db, "Cleo Park")  # waits here while the folder refuses it
    add(desktop, "Dana Reyes")
    sync_now(desktop)
    said: list[str] = []
    watcher.line_changed.connect(said.append)
    with read_only_folder(own):
        assert watcher.check_now()
        qtbot.waitUntil(lambda: not watcher.running and bool(watcher.status), timeout=WAIT)
        assert watcher.line.startswith("Sync is paused: ")
        assert "read-only" in watcher.line
        assert watcher.line.endswith("(it is read-only). Trying again later.")
        assert "Nothing is lost" in watcher.status  # the whole of it, for the Sync tab
        assert watcher.next_delay_minutes == 1  # the first retry; then 2, 4 … minutes
    # The other machine's lead was read all the same, and nothing of this one's was lost.
    with db.read() as session:
        got = session.connection().exec_driver_sql("SELECT name FROM lead ORDER BY name")
        assert got.scalars().all() == ["Cleo Park", "Dana Reyes"]
    recovered = one_pass(qtbot, watcher)
    assert recovered.done.report.sent >= 1
    assert watcher.status == ""
    assert watcher.line == "Synced just now with Desktop"
    assert len(said) == 2  # the paused sentence once, then the synced line
    sync_now(desktop)
    with desktop.read() as session:
        got = session.connection().exec_driver_sql("SELECT name FROM lead ORDER BY name")
        assert got.scalars().all() == ["Cleo Park", "Dana Reyes"]


def test_without_a_sync_folder_a_pass_does_nothing_and_says_nothing(
    qtbot: QtBot, ops: Operations
) -> None:
    watching = SyncWatcher(ops)
    try:
        with qtbot.waitSignal(watching.finished, timeout=WAIT):
            watching.start()
        assert (watching.line, watching.status, watching.next_delay_minutes) == ("", "", None)
    finally:
        watching.stop()


def test_a_file_from_a_newer_version_is_said_once_in_the_status_bar(
    qtbot: QtBot, watcher: SyncWatcher, ops: Operations, shared: Path
) -> None:
    window = shown_window(qtbot, ops)
    watcher.noted.connect(window.show_sync_note)
    SyncFolder(shared, "e5e5e5e5e5e5e5e5").write_device_info("Tablet", {}, utcnow())
    newer = SyncFolder(shared, "e5e5e5e5e5e5e5e5", format=FORMAT + 1)
    newer.write_batch([{"hlc": "001796400000000-00000-e5e5e5e5e5e5e5e5", "seq": 1,
                        "device": "e5e5e5e5e5e5e5e5", "tbl": "lead", "gid": "x", "kind": "insert",
                        "row": {"name": "From the future"}, "changed": None}])  # fmt: skip
    with qtbot.waitSignal(watcher.noted, timeout=WAIT) as said:
        assert watcher.check_now()
    assert "newer version of Followthrough" in said.args[0]
    assert "Tablet" in said.args[0]
    assert "newer version" in window.statusBar().currentMessage()
    assert "newer version" in window.sync_status.toolTip()
    # Said once: the next pass leaves the file alone without a word.
    heard: list[str] = []
    watcher.noted.connect(heard.append)
    one_pass(qtbot, watcher)
    assert heard == []
    assert names(window, State.HOT) == []  # nothing of it was applied
