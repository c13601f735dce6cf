"""Taking back a signal the app matched to the wrong lead, from its line in the timeline:
right-click, Not Ana: take back, and Edit › Undo brings it back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlmodel import select

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import Channel, Direction, SignalKind
from followthrough.services.leads import add_lead, log_event
from followthrough.services.signal_log import SignalEntry, log_signals
from followthrough.store.db import Database
from followthrough.store.models import Event, MatchSkip
from followthrough.ui.actions import LeadActions
from followthrough.ui.lead.panel import LeadPanel
from followthrough.ui.ops import Operations
from tests.conftest import NOW
from tests.ui.cards import WAIT

RIGHT = Qt.MouseButton.RightButton


@pytest.fixture
def panel(qtbot: QtBot, ops: Operations) -> LeadPanel:
    widget = LeadPanel(ops, LeadActions(ops), clock=lambda: NOW)
    ops.changed.connect(lambda _changes: widget.refresh())  # alone: it reads again itself
    qtbot.addWidget(widget)
    widget.resize(520, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def ana_with_a_matched_reply(db: Database) -> int:
    at = NOW - timedelta(days=2)
    lead_id = add_lead(db, NewLead.create(name="Ana Silva", email="sales@acme.io", now=at), at).id
    log_event(db, lead_id, SignalKind.CALL, at=at + timedelta(hours=1), now=NOW)
    payload = {"source": "mail", "folder": "INBOX", "match": "mail:sales@acme.io"}
    reply = SignalEntry(lead_id, SignalKind.REPLIED, NOW - timedelta(hours=3), Direction.IN,
                        Channel.EMAIL, "Re: Another deal", payload)  # fmt: skip
    with db.write() as session:
        log_signals(session, [reply], NOW)
    return lead_id


def kinds(db: Database, lead_id: int) -> list[str]:
    with db.read() as session:
        found = session.exec(select(Event.kind).where(Event.lead_id == lead_id).order_by(Event.id))
        return list(found)


def lines(panel: LeadPanel) -> list[str]:
    model = panel.timeline
    return [model.index(row).data() for row in range(model.rowCount())]


def row_point(panel: LeadPanel, words: str) -> QPoint:
    model, view = panel.timeline, panel.timeline_view
    row = next(r for r in range(model.rowCount()) if words in model.index(r).data())
    return view.visualRect(model.index(row)).center()


def right_click(panel: LeadPanel, point: QPoint) -> None:
    """A right click on the line, then the menu request a platform turns it into (as
    tests/ui/cards.py does: offscreen Qt sends none by itself)."""
    viewport = panel.timeline_view.viewport()
    QTest.mouseClick(viewport, RIGHT, pos=point)
    if panel.timeline_menu is None:
        event = QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, point, viewport.mapToGlobal(point)
        )
        QApplication.sendEvent(viewport, event)


def test_a_matched_reply_is_taken_back_from_its_line_and_undone(
    qtbot: QtBot, db: Database, panel: LeadPanel
) -> None:
    lead_id = ana_with_a_matched_reply(db)
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.show_lead(lead_id)
    assert any("Replied (email, from mail) · Re: Another deal" in line for line in lines(panel))

    # A typed signal is the person's own: no menu to take it back.
    right_click(panel, row_point(panel, "Call"))
    assert panel.timeline_menu is None

    right_click(panel, row_point(panel, "from mail"))
    menu = panel.timeline_menu
    assert menu is not None
    qtbot.waitExposed(menu)
    [action] = menu.actions()
    assert action.text() == "Not Ana Silva: take back “Replied”"
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())

    qtbot.waitUntil(lambda: "replied" not in kinds(db, lead_id), timeout=WAIT)
    qtbot.waitUntil(lambda: not any("from mail" in line for line in lines(panel)), timeout=WAIT)
    with db.read() as session:
        assert [(s.match, s.lead_id) for s in session.exec(select(MatchSkip))] == [
            ("mail:sales@acme.io", lead_id)
        ]

    actions = panel.lead_actions
    assert actions.next_undo() == "Take back “Replied” from Ana Silva"
    actions.undo()
    qtbot.waitUntil(lambda: "replied" in kinds(db, lead_id), timeout=WAIT)
    with db.read() as session:
        assert list(session.exec(select(MatchSkip))) == []
