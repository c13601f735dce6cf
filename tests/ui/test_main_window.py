"""The main window (offscreen): the board shows what the store holds."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from tests.conftest import NOW


def test_board_lists_leads_by_column_with_counts(qtbot: QtBot, db: Database) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", company="Acme", now=NOW), NOW)
    add_lead(db, NewLead.create(name="李小龙", now=NOW), NOW)
    add_lead(db, NewLead.create(name="Émile Zola", state=State.WARM, now=NOW), NOW)
    add_lead(db, NewLead.create(name="Parked", state=State.RECYCLE, now=NOW,
                                recycle_until=NOW + timedelta(days=30)), NOW)  # fmt: skip

    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    def texts(state: State) -> list[str]:
        column = window.columns[state.value]
        return [column.item(i).text() for i in range(column.count())]

    assert window.windowTitle() == "Followthrough"
    assert texts(State.HOT) == ["#1 Ana Silva (Acme)", "#2 李小龙"]
    assert texts(State.WARM) == ["#3 Émile Zola"]
    assert texts(State.RECYCLE) == ["#4 Parked"]
    assert window.headers["hot"].text() == "Hot (2)"
    assert "4 leads" in window.statusBar().currentMessage()


def test_empty_board_says_how_to_start(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    assert all(column.count() == 0 for column in window.columns.values())
    assert "No leads yet" in window.statusBar().currentMessage()
