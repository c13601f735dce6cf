"""Won and Lost are reachable from the window (View › Archive, Ctrl+Shift+A) and come back to
the board as the current lead; the status bar counts what an export holds; Help has About."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.services.export import write_csv
from followthrough.services.leads import add_lead, move_lead
from followthrough.store.db import Database
from followthrough.ui.about import AboutDialog
from followthrough.ui.archive.dialog import ArchiveDialog
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from tests.ui.cards import WAIT, highlighted, names, shown_window

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def pipeline(db: Database) -> None:
    now = datetime.now(UTC)
    for name in ("Ana Silva", "Bo Chen", "Cleo Park", "Dev Rao"):
        add_lead(db, NewLead.create(name=name, state=State.WARM, now=now), now)
    move_lead(db, 2, State.WON, reason="Signed the pilot")
    move_lead(db, 3, State.LOST, reason="Went with a bigger vendor")


def shown(qtbot: QtBot, ops: Operations) -> MainWindow:
    return shown_window(qtbot, ops, (1400, 900))


def test_the_status_bar_counts_what_an_export_holds(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    pipeline(db)
    window = shown(qtbot, ops)
    exported = write_csv(db, io.StringIO())
    assert exported == 4
    assert window.board_count.text() == "4 leads: 2 on the board, 1 won, 1 lost"
    assert sum(c.model.total for c in window.columns.values()) == 2


def test_ctrl_shift_a_opens_the_archive_and_reopen_puts_the_lead_back_as_current(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    pipeline(db)
    window = shown(qtbot, ops)
    QTest.keyClick(window.columns["warm"].view, Qt.Key.Key_A, CTRL_SHIFT)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ArchiveDialog)),
                    timeout=WAIT)  # fmt: skip
    [archive] = window.findChildren(ArchiveDialog)
    qtbot.waitUntil(lambda: archive.model.rowCount() == 2, timeout=WAIT)
    assert archive.counts.text() == "1 won · 1 lost"
    row = next(r for r in range(2) if archive.model.item_at(r).lead.name == "Cleo Park")
    rect = archive.view.visualRect(archive.model.index(row, 0))
    QTest.mouseClick(archive.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: archive.reopen_button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(archive.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Cleo Park" in names(window, State.WARM), timeout=WAIT)
    qtbot.waitUntil(lambda: window.current.id == 3, timeout=WAIT)
    assert highlighted(window) == ["Cleo Park"]
    qtbot.waitUntil(lambda: window.lead_panel.fields["name"].text() == "Cleo Park", timeout=WAIT)
    assert window.board_count.text() == "4 leads: 3 on the board, 1 won, 0 lost"


def test_help_has_about_with_the_version_and_the_data_folder(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    window = shown(qtbot, ops)
    help_texts = [a.text() for a in window.menus.menu("help").actions()]
    assert "&About Followthrough" in help_texts
    window.menus["about"].trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(AboutDialog)),
                    timeout=WAIT)  # fmt: skip
    [about] = window.findChildren(AboutDialog)
    words = " ".join(label.text() for label in about.findChildren(type(window.board_count)))
    assert str(db.path.parent) in words
    assert "0.1.0" in words
    assert "LicenseRef-proprietary" in words
