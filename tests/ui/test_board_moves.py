"""Moving cards: drag and drop, the keyboard, Recycle's date, Won/Lost, and undo/redo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services.lead_queries import get_lead
from followthrough.services.leads import add_lead, log_event
from followthrough.store.db import Database
from followthrough.ui.board.recycle import RecycleDialog
from followthrough.ui.lead.lost_dialog import LostDialog
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.shortcuts import menu_shortcuts
from tests.conftest import NOW
from tests.ui.cards import (
    click_button,
    click_card,
    highlighted,
    names,
    open_box,
    right_click_card,
    shown_window,
)


@pytest.fixture
def board(qtbot: QtBot, db: Database, ops: Operations) -> MainWindow:
    add_lead(db, NewLead.create(name="Ana Silva", company="Acme", now=NOW), NOW)
    add_lead(db, NewLead.create(name="Bo Chen", state=State.WARM, now=NOW), NOW)
    return shown_window(qtbot, ops)


def state_of(db: Database, name: str) -> State:
    lead = next(
        lead for lead in (get_lead(db, lead_id).lead for lead_id in (1, 2, 3)) if lead.name == name
    )
    return lead.state


def select(qtbot: QtBot, window: MainWindow, name: str) -> None:
    click_card(qtbot, window, name)
    assert window.current_lead() is not None
    assert window.current_lead().name == name  # type: ignore[union-attr]


def drag_card(window: MainWindow, name: str, source: State, target: State) -> bool:
    """Drop a card on another column through the views' own drag-and-drop event handling."""
    model = window.columns[source.value].model
    row = names(window, source).index(name)
    mime = model.mimeData([model.index(row)])
    assert isinstance(mime, QMimeData)
    viewport = window.columns[target.value].view.viewport()
    point = QPoint(viewport.width() // 2, viewport.height() - 10)
    move = Qt.DropAction.MoveAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, move, mime, buttons, keys)
    QApplication.sendEvent(viewport, enter)
    over = QDragMoveEvent(point, move, mime, buttons, keys)
    QApplication.sendEvent(viewport, over)
    if not over.isAccepted():
        return False
    drop = QDropEvent(QPointF(point), move, mime, buttons, keys)
    QApplication.sendEvent(viewport, drop)
    return drop.isAccepted()


def recycle_dialog(window: MainWindow) -> RecycleDialog:
    dialogs = [d for d in window.findChildren(RecycleDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_dragging_a_card_to_warm_moves_the_lead(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    assert drag_card(board, "Ana Silva", State.HOT, State.WARM)
    qtbot.waitUntil(lambda: names(board, State.WARM) == ["Ana Silva", "Bo Chen"], timeout=5000)
    assert names(board, State.HOT) == []
    assert state_of(db, "Ana Silva") is State.WARM
    assert board.columns["hot"].count.text() == "0"
    assert "Moved Ana Silva to Warm" in board.statusBar().currentMessage()


def test_a_card_dropped_on_its_own_column_is_refused(board: MainWindow) -> None:
    assert not drag_card(board, "Ana Silva", State.HOT, State.HOT)


def test_dropping_on_recycle_asks_when_to_come_back_and_cancel_leaves_the_lead(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    assert drag_card(board, "Ana Silva", State.HOT, State.RECYCLE)
    dialog = recycle_dialog(board)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # no date yet: parking needs a way back
    qtbot.keyClicks(dialog.until, "someday")
    assert not ok.isEnabled()
    assert "someday" in dialog.hint.text()
    dialog.reject()
    assert state_of(db, "Ana Silva") is State.HOT
    assert names(board, State.HOT) == ["Ana Silva"]


def test_recycling_with_a_date_and_reason_parks_the_lead(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    assert drag_card(board, "Ana Silva", State.HOT, State.RECYCLE)
    dialog = recycle_dialog(board)
    qtbot.keyClicks(dialog.until, "2027-03-01")
    assert dialog.hint.text().startswith("→ Mon 1 Mar 2027, 09:00")
    qtbot.keyClicks(dialog.reason, "Budget opens in spring")
    with qtbot.waitSignal(board.board_loaded, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: names(board, State.RECYCLE) == ["Ana Silva"], timeout=5000)
    lead = get_lead(db, 1).lead
    assert lead.state is State.RECYCLE
    assert lead.recycle_reason == "Budget opens in spring"
    assert lead.recycle_until is not None
    assert lead.recycle_until.astimezone().strftime("%Y-%m-%d %H:%M") == "2027-03-01 09:00"


def test_keyboard_moves_the_selected_card(qtbot: QtBot, db: Database, board: MainWindow) -> None:
    select(qtbot, board, "Ana Silva")
    qtbot.keyClick(board.columns["hot"].view, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: state_of(db, "Ana Silva") is State.WARM, timeout=5000)
    qtbot.waitUntil(lambda: "Ana Silva" in names(board, State.WARM), timeout=5000)
    # The card stays selected where it landed, so the next key press moves it on.
    assert board.current_lead() is not None
    assert board.current_lead().name == "Ana Silva"  # type: ignore[union-attr]
    qtbot.keyClick(
        board.columns["warm"].view,
        Qt.Key.Key_Left,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: state_of(db, "Ana Silva") is State.HOT, timeout=5000)


def test_won_and_lost_take_the_lead_off_the_board(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    select(qtbot, board, "Bo Chen")
    board.menus["won"].trigger()
    qtbot.waitUntil(lambda: names(board, State.WARM) == [], timeout=5000)
    assert state_of(db, "Bo Chen") is State.WON
    select(qtbot, board, "Ana Silva")
    board.menus["lost"].trigger()
    # Lost asks why, the usual reason checked: Enter accepts it.
    [dialog] = [d for d in board.findChildren(LostDialog) if d.isVisible()]
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: state_of(db, "Ana Silva") is State.LOST, timeout=5000)


def test_a_right_click_chooses_the_card_and_its_menu_acts_on_it(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    select(qtbot, board, "Bo Chen")  # another card was current before the right click
    menu = right_click_card(board, "Ana Silva")
    assert board.current_lead().name == "Ana Silva"  # type: ignore[union-attr]
    assert highlighted(board) == ["Ana Silva"]
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == [
        "Move to Warm", "Move to Recycle…", "Mark as &Won", "Mark as &Lost",
        "D&raft a follow-up…", "&Delete…",
    ]  # fmt: skip
    [won] = [a for a in menu.actions() if a.text() == "Mark as &Won"]
    won.trigger()
    menu.close()
    qtbot.waitUntil(lambda: state_of(db, "Ana Silva") is State.WON, timeout=5000)
    assert state_of(db, "Bo Chen") is State.WARM


def test_undo_and_redo_a_move(qtbot: QtBot, db: Database, board: MainWindow) -> None:
    select(qtbot, board, "Ana Silva")
    board.menus.moves()[State.WARM].trigger()
    qtbot.waitUntil(lambda: names(board, State.HOT) == [], timeout=5000)
    assert state_of(db, "Ana Silva") is State.WARM
    assert board.menus["undo"].isEnabled()
    assert board.menus["undo"].text() == "&Undo Move Ana Silva to Warm"
    board.menus["undo"].trigger()
    qtbot.waitUntil(lambda: names(board, State.HOT) == ["Ana Silva"], timeout=5000)
    said = board.statusBar().currentMessage()
    assert said.startswith("Undid: moved Ana Silva to Warm — ")
    assert said.endswith(" redoes it")
    # Undone means as if it never happened: the move is gone from the timeline too.
    assert [e.kind for e in get_lead(db, 1).timeline] == ["state_change"]
    board.menus["redo"].trigger()
    qtbot.waitUntil(lambda: names(board, State.WARM) == ["Ana Silva", "Bo Chen"], timeout=5000)


def test_undo_brings_a_deleted_lead_back_with_its_history(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    log_event(db, 1, SignalKind.SENT, at=NOW - timedelta(hours=1), note="Pilot plan", now=NOW)
    select(qtbot, board, "Ana Silva")
    qtbot.keyClick(board.columns["hot"].view, Qt.Key.Key_Delete)
    box = open_box(qtbot, board)
    assert box.text() == "Delete Ana Silva?"
    click_button(qtbot, box, "Delete")
    qtbot.waitUntil(lambda: names(board, State.HOT) == [], timeout=5000)
    assert board.statusBar().currentMessage() == "Deleted Ana Silva — Ctrl+Z undoes it"
    board.menus["undo"].trigger()
    qtbot.waitUntil(lambda: names(board, State.HOT) == ["Ana Silva"], timeout=5000)
    restored = get_lead(db, 1)
    assert restored.lead.company == "Acme"
    assert [e.text for e in restored.timeline if e.kind == "sent"] == ["Pilot plan"]


def test_undo_is_refused_when_the_lead_changed_elsewhere_since(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    select(qtbot, board, "Ana Silva")
    board.menus.moves()[State.WARM].trigger()
    qtbot.waitUntil(lambda: board.menus["undo"].isEnabled(), timeout=5000)
    log_event(db, 1, SignalKind.REPLIED, note="Yes, Thursday works")  # the CLI, meanwhile
    board.menus["undo"].trigger()
    qtbot.waitUntil(lambda: "Cannot undo" in board.statusBar().currentMessage(), timeout=5000)
    assert "changed since" in board.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not board.menus["undo"].isEnabled(), timeout=5000)
    lead = get_lead(db, 1)
    assert lead.lead.state is State.WARM
    assert "Yes, Thursday works" in [e.text for e in lead.timeline]  # nothing was lost


def test_shortcut_sheet_lists_the_real_shortcuts(qtbot: QtBot, board: MainWindow) -> None:
    sections = dict(menu_shortcuts(board.menuBar()))
    assert ("Move to Warm", "Ctrl+2") in sections["Lead"]
    assert ("Add a lead", "Ctrl+N") in sections["File"]
    assert any(text == "Undo" and "Ctrl+Z" in keys for text, keys in sections["Edit"])
    qtbot.keyClick(board, Qt.Key.Key_F1)
    sheet = board.findChild(type(board.dialogs.show_shortcuts()))
    assert sheet is not None
    assert sheet.tree.topLevelItemCount() > 10


def test_a_lead_added_with_ctrl_n_can_be_undone(
    qtbot: QtBot, db: Database, board: MainWindow
) -> None:
    dialog = board.quick_add()
    qtbot.keyClicks(dialog.name, "Chloe Dubois")
    with qtbot.waitSignal(board.board_loaded, timeout=5000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: "Chloe Dubois" in names(board, State.HOT), timeout=5000)
    qtbot.waitUntil(lambda: board.current_lead() is not None, timeout=5000)
    assert board.current_lead().name == "Chloe Dubois"  # type: ignore[union-attr]
    assert board.menus["undo"].text() == "&Undo Add Chloe Dubois"
    board.menus["undo"].trigger()
    qtbot.waitUntil(lambda: names(board, State.HOT) == ["Ana Silva"], timeout=5000)


def test_undo_and_redo_a_logged_signal(qtbot: QtBot, db: Database, board: MainWindow) -> None:
    board.lead_actions.log(1, SignalKind.REPLIED, note="Thursday works", name="Ana Silva")
    qtbot.waitUntil(lambda: board.menus["undo"].isEnabled(), timeout=5000)
    assert [e.text for e in get_lead(db, 1).timeline if e.kind == "replied"] == ["Thursday works"]
    board.menus["undo"].trigger()
    qtbot.waitUntil(
        lambda: not [e for e in get_lead(db, 1).timeline if e.kind == "replied"], timeout=5000
    )
    board.menus["redo"].trigger()
    qtbot.waitUntil(
        lambda: (
            [e.text for e in get_lead(db, 1).timeline if e.kind == "replied"] == ["Thursday works"]
        ),
        timeout=5000,
    )
