"""The lead panel's "Log signals for this lead automatically": a click keeps the calendar (and
the mailbox, and the mail rules) away from the lead, and Undo lets them match it again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.meetings import Occurrence
from followthrough.services.auto_signals import takes_auto_signals
from followthrough.services.calendar.meetings import apply_read
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.ui.actions import LeadActions
from followthrough.ui.lead.auto_signals import AutoSignalsSwitch
from followthrough.ui.lead.panel import LeadPanel
from followthrough.ui.ops import Operations
from tests.conftest import NOW
from tests.ui.cards import WAIT

LEFT = Qt.MouseButton.LeftButton
H = timedelta(hours=1)


@pytest.fixture
def panel(qtbot: QtBot, ops: Operations) -> LeadPanel:
    widget = LeadPanel(ops, LeadActions(ops), clock=lambda: NOW)
    ops.changed.connect(lambda _changes: widget.refresh())  # alone: it reads again itself
    qtbot.addWidget(widget)
    widget.resize(520, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click(switch: AutoSignalsSwitch) -> None:
    """Where a person clicks a check box: on its box or its words."""
    option = QStyleOptionButton()
    switch.initStyleOption(option)
    where = switch.style().subElementRect(QStyle.SubElement.SE_CheckBoxClickRect, option, switch)
    QTest.mouseClick(switch, LEFT, pos=where.center())


def booked(db: Database, email: str) -> list[str]:
    """What the calendar logs for a meeting with `email` next week."""
    start = NOW + timedelta(days=7)
    meeting = Occurrence(f"{email}|demo", "Demo", start, start + H, False, False,
                         {email: "ACCEPTED"})  # fmt: skip
    read = apply_read(db, [meeting], NOW - timedelta(days=7), NOW + timedelta(days=60), NOW)
    return [step.lead_name for step in read]


def test_switching_automatic_signals_off_and_back_with_undo(
    qtbot: QtBot, panel: LeadPanel, db: Database
) -> None:
    at = NOW - timedelta(days=2)
    ana = add_lead(db, NewLead.create(name="Ana Silva", email="ana@acme.io", now=at), at).id
    switch = panel.auto_signals
    panel.show_lead(ana)
    qtbot.waitUntil(switch.isEnabled, timeout=WAIT)
    assert switch.isVisible()
    assert switch.isChecked()  # on unless the person says otherwise

    click(switch)
    qtbot.waitUntil(lambda: not takes_auto_signals(db, ana), timeout=WAIT)
    qtbot.waitUntil(switch.isEnabled, timeout=WAIT)
    assert not switch.isChecked()
    assert booked(db, "ana@acme.io") == []  # the calendar leaves her alone

    stack = panel.lead_actions.stack
    assert stack.undoText() == "Stop logging signals for Ana Silva automatically"
    panel.lead_actions.undo()
    qtbot.waitUntil(lambda: takes_auto_signals(db, ana), timeout=WAIT)
    qtbot.waitUntil(lambda: switch.isEnabled() and switch.isChecked(), timeout=WAIT)
    assert booked(db, "ana@acme.io") == ["Ana Silva"]


def test_the_switch_is_off_without_a_lead(qtbot: QtBot, panel: LeadPanel, db: Database) -> None:
    panel.show_lead(None)
    assert not panel.auto_signals.isEnabled()
    assert panel.auto_signals.isHidden() or not panel.auto_signals.isVisible()
