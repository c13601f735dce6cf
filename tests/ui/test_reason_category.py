"""Why a lead left the running, picked with the mouse: parking, losing, and changing it later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services.feedback import reason_category
from followthrough.services.lead_queries import get_lead
from followthrough.services.leads import add_lead, log_event, move_lead
from followthrough.store.db import Database
from followthrough.ui.actions import LeadActions
from followthrough.ui.board.recycle import RecycleDialog
from followthrough.ui.lead.lost_dialog import LostDialog
from followthrough.ui.lead.panel import LeadPanel
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from tests.conftest import NOW
from tests.ui.cards import click_card, names, shown_window

WAIT = 5000


@pytest.fixture
def board(qtbot: QtBot, db: Database, ops: Operations) -> MainWindow:
    add_lead(db, NewLead.create(name="Ana Silva", company="Acme", now=NOW), NOW)
    add_lead(db, NewLead.create(name="Bo Chen", state=State.WARM, now=NOW), NOW)
    return shown_window(qtbot, ops)


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


def visible(window: MainWindow, kind: type[RecycleDialog] | type[LostDialog]) -> QWidget:
    found = [d for d in window.findChildren(kind) if d.isVisible()]
    assert len(found) == 1
    return found[0]


def test_parking_a_lead_choosing_price_keeps_price(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    click_card(qtbot, board, "Ana Silva")
    board.menus.moves()[State.RECYCLE].trigger()
    dialog = visible(board, RecycleDialog)
    assert isinstance(dialog, RecycleDialog)
    # Nothing answered yet: parking is about timing, and Timing is checked as it opens.
    qtbot.waitUntil(lambda: dialog.picker.checked() is ReasonCategory.TIMING, timeout=WAIT)
    assert [b.text() for b in dialog.picker.buttons.values()] == [
        "Timing", "Fit", "Price", "Competitor", "No decision", "Went silent", "Other",
    ]  # fmt: skip
    click(dialog.picker.buttons[ReasonCategory.PRICE])
    assert dialog.picker.checked() is ReasonCategory.PRICE
    assert not dialog.picker.buttons[ReasonCategory.TIMING].isChecked()
    qtbot.keyClicks(dialog.until, "+1mo")
    qtbot.keyClicks(dialog.reason, "Over budget this year")
    click(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: names(board, State.RECYCLE) == ["Ana Silva"], timeout=WAIT)
    assert reason_category(db, 1) is ReasonCategory.PRICE
    assert get_lead(db, 1).lead.recycle_reason == "Over budget this year"


def test_marking_lost_with_one_click_keeps_the_usual_reason(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    # Three touches without an answer: the no-pestering guard's count, so it went silent.
    for days in (9, 6, 3):
        log_event(db, 1, SignalKind.SENT, at=NOW - timedelta(days=days), now=NOW)
    assert get_lead(db, 1).lead.unanswered == 3
    click_card(qtbot, board, "Ana Silva")
    board.menus["lost"].trigger()
    dialog = visible(board, LostDialog)
    assert isinstance(dialog, LostDialog)
    assert dialog.windowTitle() == "Mark Ana Silva as Lost"
    qtbot.waitUntil(lambda: dialog.picker.checked() is ReasonCategory.WENT_SILENT, timeout=WAIT)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "Mark as &Lost"
    assert ok.isDefault()
    click(ok)
    qtbot.waitUntil(lambda: get_lead(db, 1).lead.state is State.LOST, timeout=WAIT)
    assert reason_category(db, 1) is ReasonCategory.WENT_SILENT


def test_lost_with_a_category_and_words_of_ones_own(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    click_card(qtbot, board, "Bo Chen")
    board.menus["lost"].trigger()
    dialog = visible(board, LostDialog)
    assert isinstance(dialog, LostDialog)
    qtbot.waitUntil(lambda: dialog.picker.checked() is ReasonCategory.NO_DECISION, timeout=WAIT)
    click(dialog.picker.buttons[ReasonCategory.COMPETITOR])
    qtbot.keyClicks(dialog.reason, "Chose a bigger vendor")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter in the box accepts the dialog
    qtbot.waitUntil(lambda: get_lead(db, 2).lead.state is State.LOST, timeout=WAIT)
    assert reason_category(db, 2) is ReasonCategory.COMPETITOR
    assert get_lead(db, 2).timeline[0].text == "Chose a bigger vendor"


def test_cancel_on_lost_leaves_the_lead_where_it_was(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    click_card(qtbot, board, "Ana Silva")
    board.menus["lost"].trigger()
    dialog = visible(board, LostDialog)
    assert isinstance(dialog, LostDialog)
    click(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel))
    assert not dialog.isVisible()
    assert get_lead(db, 1).lead.state is State.HOT
    assert names(board, State.HOT) == ["Ana Silva"]
    assert [e.kind for e in get_lead(db, 1).timeline] == ["state_change"]  # only its arrival


# --- the lead panel ---------------------------------------------------------------------


@pytest.fixture
def panel(qtbot: QtBot, ops: Operations) -> LeadPanel:
    widget = LeadPanel(ops, LeadActions(ops), clock=lambda: NOW)
    ops.changed.connect(lambda _changes: widget.refresh())  # alone: it reads again itself
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def parked(db: Database) -> int:
    at = datetime.now(UTC) - timedelta(minutes=1)
    lead_id = add_lead(db, NewLead.create(name="Cleo Park", now=at), at).id
    move_lead(db, lead_id, State.RECYCLE, until=at + timedelta(days=30),
              reason="Budget opens in spring", now=at + timedelta(seconds=1))  # fmt: skip
    return lead_id


def shown(qtbot: QtBot, panel: LeadPanel, lead_id: int) -> None:
    panel.show_lead(lead_id)
    qtbot.waitUntil(lambda: panel.reason.category() is not None, timeout=WAIT)


def test_the_panel_shows_why_and_changes_it_with_the_mouse(
    qtbot: QtBot, db: Database, panel: LeadPanel
) -> None:
    lead_id = parked(db)
    shown(qtbot, panel, lead_id)
    assert panel.reason.text() == "Reason: Timing — Budget opens in spring"
    assert panel.state.text().startswith("Recycle until ")
    combo = panel.reason.combo
    click(combo)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=WAIT)
    where = view.visualRect(view.model().index(combo.findText("Fit"), 0)).center()

    def picked() -> bool:
        # The popup ignores a release within a double-click time of the click that opened
        # it: click again until it takes it, as a person would.
        if view.isVisible():
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        return not view.isVisible()

    qtbot.waitUntil(picked, timeout=WAIT)
    qtbot.waitUntil(lambda: reason_category(db, lead_id) is ReasonCategory.FIT, timeout=WAIT)
    qtbot.waitUntil(
        lambda: panel.reason.text() == "Reason: Fit — Budget opens in spring", timeout=WAIT
    )


def test_a_lost_lead_shows_its_words_and_a_board_lead_no_reason(
    qtbot: QtBot, db: Database, panel: LeadPanel
) -> None:
    at = datetime.now(UTC) - timedelta(minutes=1)
    lost = add_lead(db, NewLead.create(name="Dev Rao", now=at), at).id
    move_lead(db, lost, State.LOST, reason="Chose a competitor",
              category=ReasonCategory.COMPETITOR, now=at + timedelta(seconds=1))  # fmt: skip
    shown(qtbot, panel, lost)
    assert panel.reason.text() == "Reason: Competitor — Chose a competitor"
    hot = add_lead(db, NewLead.create(name="Eve Hart", now=at), at).id
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.show_lead(hot)
    assert panel.reason.isHidden()
    assert panel.reason.text() == ""
