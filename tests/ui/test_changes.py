"""Writes say what they changed, and each view reads again only when its own data moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.signals import SignalKind
from followthrough.services import alerts, board_snapshot, timeline
from followthrough.services.board_snapshot import WindowRead
from followthrough.services.leads import add_lead, edit_lead, log_event
from followthrough.services.preferences import update_preferences
from followthrough.store.db import Database
from followthrough.ui.changes import ALERTS, EVERYTHING, LEADS, SETTINGS, TEMPLATES, Changes
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from tests.conftest import NOW

WAIT = 5000


def test_changes_name_the_data_that_moved() -> None:
    assert LEADS.touches(ALERTS)  # a lead's change can move its alerts
    assert not SETTINGS.touches(LEADS | Changes(policy=True))
    assert not TEMPLATES.touches(ALERTS)
    assert Changes(settings=True, templates=True) == (SETTINGS | TEMPLATES)
    assert all(EVERYTHING.touches(one) for one in (LEADS, ALERTS, SETTINGS, TEMPLATES))
    assert not Changes().touches(EVERYTHING)


@pytest.fixture
def board_reads(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The searches the window's one read was made with, from now on (read on the worker)."""
    reads: list[str | None] = []
    read_window = board_snapshot.read_window

    def counted(db: Database, query: str | None, *args: int | None) -> WindowRead:
        reads.append(query)
        return read_window(db, query, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(board_snapshot, "read_window", counted)
    return reads


def settle(qtbot: QtBot, ops: Operations) -> None:
    """Wait until every read that the last change started has run: the worker takes jobs in
    order, so one queued now finishes after them."""
    done: list[bool] = []
    ops.run(lambda db: True, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=WAIT)


def write(
    qtbot: QtBot, ops: Operations, work: Callable[[Database], object], changes: Changes
) -> None:
    with qtbot.waitSignal(ops.changed, timeout=WAIT) as told:
        ops.run(work, writes=changes)
    assert told.args == [changes]
    settle(qtbot, ops)


def shown_window(qtbot: QtBot, ops: Operations) -> MainWindow:
    """The main window on screen with its first board read done."""
    window = MainWindow(ops)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.board_loaded, timeout=WAIT):
        window.show()
    return window


def test_a_settings_change_does_not_read_the_board_again_and_a_lead_change_does(
    qtbot: QtBot, ops: Operations, board_reads: list[str | None]
) -> None:
    window = shown_window(qtbot, ops)
    board_reads.clear()

    write(qtbot, ops, lambda db: update_preferences(db, {"sender_name": "Sam Reyes"}), SETTINGS)
    write(qtbot, ops, lambda db: None, TEMPLATES)
    assert board_reads == []

    with qtbot.waitSignal(window.board_loaded, timeout=WAIT):
        write(qtbot, ops, lambda db: add_lead(db, NewLead.create(name="Ana Silva", now=NOW)), LEADS)
    assert board_reads == [None]
    hot = window.columns["hot"].model
    assert hot.data(hot.index(0)) == "Ana Silva"


def test_an_alert_change_reads_the_board_again(
    qtbot: QtBot, ops: Operations, board_reads: list[str | None]
) -> None:
    window = shown_window(qtbot, ops)
    board_reads.clear()
    with qtbot.waitSignal(window.board_loaded, timeout=WAIT):
        ops.announce(ALERTS)  # a tick raised alerts: the cards' badges moved
    assert board_reads == [None]


def test_one_change_is_one_read_for_the_board_today_and_the_lead_panel(
    qtbot: QtBot, ops: Operations, db: Database, board_reads: list[str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    now = datetime.now(UTC)
    lead = add_lead(db, NewLead.create(name="Ana Silva", now=now - timedelta(days=5)), now)
    log_event(db, lead.id, SignalKind.SENT, at=now - timedelta(days=4), now=now)
    alerts.tick(db, now)
    window = shown_window(qtbot, ops)
    with qtbot.waitSignal(window.lead_panel.loaded, timeout=WAIT):
        window.select_lead(lead.id)  # a lead chosen: the panel reads it, alone
    own_reads: list[str] = []
    for module, name in ((timeline, "lead_timeline"), (alerts, "today_alerts")):
        monkeypatch.setattr(module, name, lambda *args, name=name: own_reads.append(name))
    board_reads.clear()

    with qtbot.waitSignals(
        [window.board_loaded, window.today.loaded, window.lead_panel.loaded], timeout=WAIT
    ):
        ops.run(lambda db: edit_lead(db, lead.id, LeadEdit.create(name="Ana Costa")), writes=LEADS)
    settle(qtbot, ops)
    assert board_reads == [None]  # the window's one read...
    assert own_reads == []  # ...and no read of Today's or the panel's own
    assert window.lead_panel.fields["name"].text() == "Ana Costa"
    today = window.today.model
    assert today.data(today.index(0), Qt.ItemDataRole.ToolTipRole).startswith("Ana Costa: ")
