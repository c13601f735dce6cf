"""The Sync settings tab, used with the mouse: a folder chosen and used, a refusal shown next to
its field with the text kept, the devices seen, Sync now, and Stop syncing after a question.

Two machines are two data folders with their own SQLite files sharing one sync folder.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.paths import prepare_data_dir
from followthrough.services import leads
from followthrough.services.clock import utcnow
from followthrough.services.sync.record import ops_after, sync_status
from followthrough.services.sync.service import set_sync_folder, status, sync_folder, sync_now
from followthrough.store.db import Database
from followthrough.ui.ops import Operations
from followthrough.ui.settings.sync_page import SyncPage
from followthrough.ui.syncwatcher import SyncWatcher

LEFT = Qt.MouseButton.LeftButton
WAIT = 15000  # ms: a pass on a local folder takes well under a second
OpenPage = Callable[..., SyncPage]


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "Sync"
    folder.mkdir()
    return folder


@pytest.fixture
def desktop(tmp_path: Path, shared: Path) -> Iterator[Database]:
    """The other machine, syncing through `shared` already, with a lead of its own."""
    other = Database.open(prepare_data_dir(tmp_path / "desktop-data"))
    set_sync_folder(other, str(shared), "Desktop")
    leads.add_lead(other, NewLead.create(name="Dana Reyes", now=utcnow()))
    sync_now(other)
    yield other
    other.close()


@pytest.fixture
def open_page(qtbot: QtBot, ops: Operations) -> Iterator[OpenPage]:
    pages: list[SyncPage] = []

    def open_(watcher: SyncWatcher | None = None) -> SyncPage:
        page = SyncPage(ops, watcher)
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.loaded, timeout=WAIT):
            page.show()
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.shutdown()


def click(qtbot: QtBot, button: QWidget) -> None:
    assert button.isEnabled()
    assert button.isVisible()
    QTest.mouseClick(button, LEFT)


def type_into(qtbot: QtBot, field: QWidget, text: str) -> None:
    QTest.mouseClick(field, LEFT)
    field.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(field, text)


def shown_devices(page: SyncPage) -> list[tuple[str, str, str]]:
    table = page.devices
    return [
        tuple(table.item(row, column).text() for column in range(3))  # type: ignore[misc]
        for row in range(table.rowCount())
    ]


def test_a_folder_used_by_mouse_syncs_at_once_and_brings_the_other_machine_in(
    qtbot: QtBot, open_page: OpenPage, desktop: Database, db: Database, shared: Path
) -> None:
    page = open_page()
    assert page.name.text() == socket.gethostname()  # the default name: the host's
    assert "Sync is off" in page.line.text()
    assert not page.sync.isEnabled()
    assert not page.stop.isEnabled()
    assert page.devices.isHidden()

    type_into(qtbot, page.folder, str(shared))
    type_into(qtbot, page.name, "Laptop")
    with qtbot.waitSignal(page.synced, timeout=WAIT) as synced:
        click(qtbot, page.use)
    assert synced.args[0].startswith("Sent ")
    assert "applied" in synced.args[0]
    assert sync_folder(db) == shared.resolve()
    assert sync_status(db).device_name == "Laptop"
    with db.read() as session:
        got = session.connection().exec_driver_sql("SELECT name FROM lead").scalars().all()
    assert got == ["Dana Reyes"]
    assert shown_devices(page) == [("Desktop", "just now", "2")]  # the lead and its arrival
    assert page.line.text() == "Synced just now with Desktop."
    assert page.sync.isEnabled()
    assert page.stop.isEnabled()

    # Sync now again: nothing new.
    with qtbot.waitSignal(page.synced, timeout=WAIT) as again:
        click(qtbot, page.sync)
    assert again.args[0] == "Sent 0 changes; applied 0 from the other devices."
    assert page.result.text() == again.args[0]


def test_a_missing_folder_is_refused_next_to_the_field_and_the_text_is_kept(
    qtbot: QtBot, open_page: OpenPage, db: Database, tmp_path: Path, data_dir: Path
) -> None:
    page = open_page()
    missing = str(tmp_path / "Dropbox" / "nowhere")
    type_into(qtbot, page.folder, missing)
    click(qtbot, page.use)
    qtbot.waitUntil(lambda: page.problem_text("sync_folder") != "", timeout=WAIT)
    assert "is not a folder" in page.problem_text("sync_folder")
    assert page.folder.text() == missing
    assert sync_folder(db) is None
    assert not sync_status(db).enabled

    # The data folder itself may not be the sync folder: the database would be copied.
    page.clear_problems()
    type_into(qtbot, page.folder, str(data_dir))
    click(qtbot, page.use)
    qtbot.waitUntil(lambda: page.problem_text("sync_folder") != "", timeout=WAIT)
    assert page.folder.text() == str(data_dir)
    assert sync_folder(db) is None

    # An empty name is refused before anything is looked at.
    type_into(qtbot, page.folder, str(tmp_path))
    page.name.clear()
    click(qtbot, page.use)
    assert page.problem_text("device_name") == "A device name cannot be empty."
    assert page.problem_text("sync_folder") == ""


def test_stop_syncing_asks_first_and_then_stops(
    qtbot: QtBot, open_page: OpenPage, db: Database, shared: Path
) -> None:
    set_sync_folder(db, str(shared), "Laptop")
    page = open_page()
    assert page.folder.text() == str(shared.resolve())
    assert page.name.text() == "Laptop"
    assert page.no_devices.text().startswith("No other device has written")

    click(qtbot, page.stop)
    box = page.confirmation
    assert box is not None
    assert box.isVisible()
    box.reject()  # changed their mind
    assert sync_folder(db) == shared.resolve()

    click(qtbot, page.stop)
    assert page.confirm_stop is not None
    with qtbot.waitSignal(page.stopped, timeout=WAIT):
        click(qtbot, page.confirm_stop)
    assert sync_folder(db) is None
    assert "Sync is off" in page.line.text()
    assert not page.sync.isEnabled()
    assert not page.stop.isEnabled()
    assert page.result.text() == (
        "This computer no longer syncs. What is changed here meanwhile will go to the other "
        "devices if it syncs again."
    )
    assert page.folder.text() == str(shared.resolve())  # kept, to use again in one click
    # Still recorded while stopped: it goes out when the folder is used again.
    leads.add_lead(db, NewLead.create(name="Carla Diaz", now=utcnow()))
    assert sync_status(db).enabled
    added = [op["row"]["name"] for op in ops_after(db, 0) if op["tbl"] == "lead"]
    assert added == ["Carla Diaz"]


def test_a_device_that_will_not_sync_again_is_forgotten_by_mouse_after_a_question(
    qtbot: QtBot, open_page: OpenPage, db: Database, shared: Path, desktop: Database
) -> None:
    set_sync_folder(db, str(shared), "Laptop")
    sync_now(db)
    page = open_page()
    devices = page.device_list
    assert [devices.table.item(r, 0).text() for r in range(devices.table.rowCount())] == ["Desktop"]
    assert not devices.forget.isEnabled()  # nothing chosen yet
    row = devices.table.visualItemRect(devices.table.item(0, 1))
    QTest.mouseClick(devices.table.viewport(), LEFT, pos=row.center())
    assert devices.selected() is not None
    click(qtbot, devices.forget)
    box = devices.confirmation
    assert box is not None
    assert box.isVisible()
    assert box.text() == "Forget “Desktop”?"
    box.reject()  # changed their mind: still listed
    assert devices.table.rowCount() == 1

    click(qtbot, devices.forget)
    assert devices.confirm_forget is not None
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        click(qtbot, devices.confirm_forget)
    qtbot.waitUntil(lambda: page.result.text().startswith("Forgot Desktop"), timeout=WAIT)
    assert devices.table.isHidden()
    assert page.no_devices.text().startswith("No other device has written")
    assert [peer.name for peer in status(db)[0].peers] == []
    # It syncs again after all: listed again at the next pass (once the pass that published
    # the forgetting has ended).
    qtbot.waitUntil(lambda: not page.watcher.running, timeout=WAIT)
    leads.add_lead(desktop, NewLead.create(name="Evan Park", now=utcnow()))
    sync_now(desktop)
    with qtbot.waitSignal(page.watcher.checked, timeout=WAIT):
        assert page.watcher.check_now()
    qtbot.waitUntil(lambda: devices.table.rowCount() == 1 and devices.table.isVisible(),
                    timeout=WAIT)  # fmt: skip
    assert devices.selected() is None  # the row in its place is not chosen for it
    assert not devices.forget.isEnabled()


def test_the_settings_dialog_has_the_sync_tab_with_alt_keys_of_its_own(
    qtbot: QtBot, ops: Operations
) -> None:
    from followthrough.ui.settings import SettingsDialog

    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.loaded, dialog.sync.loaded], timeout=WAIT):
        dialog.show()
    titles = [dialog.tabs.tabText(index) for index in range(dialog.tabs.count())]
    assert "Syn&c" in titles
    dialog.tabs.setCurrentWidget(dialog.sync)
    texts = titles + [b.text() for b in dialog.buttons.buttons()]
    texts += [w.text() for w in dialog.sync.findChildren(QAbstractButton)]
    texts += [w.text() for w in dialog.sync.findChildren(QLabel) if w.buddy() is not None]
    keys = [text.split("&", 1)[1][0].lower() for text in texts if "&" in text]
    assert len(keys) == len(set(keys)), sorted(keys)
    assert len(keys) >= 14
    dialog.reject()
