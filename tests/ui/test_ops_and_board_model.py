"""The operation runner (work off the GUI thread) and the board's column models."""

from __future__ import annotations

import threading
from datetime import timedelta

from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.services import lead_queries, leads
from followthrough.store.db import Database
from followthrough.ui.board.model import LeadColumnModel, LeadRole
from followthrough.ui.ops import Operations
from tests.conftest import NOW


def test_work_runs_off_the_gui_thread_and_results_come_back_on_it(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    gui_thread = threading.current_thread()
    seen: dict[str, object] = {}

    def add(database: Database) -> int:
        seen["worker"] = threading.current_thread()
        return leads.add_lead(database, NewLead.create(name="Ana", now=NOW), NOW).id

    def done(lead_id: int) -> None:
        seen["callback"] = threading.current_thread()
        seen["id"] = lead_id

    with qtbot.waitSignal(ops.changed, timeout=5000):
        ops.run(add, done, writes=True)
    assert seen["worker"] is not gui_thread
    assert seen["callback"] is gui_thread
    assert lead_queries.get_lead(db, int(seen["id"])).lead.name == "Ana"  # type: ignore[arg-type]
    assert not ops.busy


def test_a_failed_operation_reports_its_message_and_changes_nothing(
    qtbot: QtBot, ops: Operations
) -> None:
    with qtbot.waitSignal(ops.failed, timeout=5000) as failure, qtbot.assertNotEmitted(ops.changed):
        ops.run(lambda database: lead_queries.get_lead(database, 404), writes=True)
    assert failure.args == ["no lead with id 404"]


def test_column_model_shows_its_state_in_order_with_roles(qtbot: QtBot, db: Database) -> None:
    for name, state in (("Ana", State.HOT), ("Bob", State.WARM), ("Cleo", State.HOT)):
        leads.add_lead(db, NewLead.create(name=name, state=state, now=NOW, company="Acme",
                                          next_step="Call", next_step_due=NOW + timedelta(days=1)), NOW)  # fmt: skip
    hot = LeadColumnModel(State.HOT)
    hot.set_leads(lead_queries.list_leads(db, now=NOW))
    assert hot.rowCount() == 2
    first = hot.index(0)
    assert hot.data(first) == "Ana"
    assert hot.data(first, LeadRole.COMPANY) == "Acme"
    assert hot.data(first, LeadRole.DUE) == NOW + timedelta(days=1)
    assert hot.data(first, LeadRole.MOMENTUM) == 100.0
    assert hot.data(first, LeadRole.OPEN_ALERTS) == 0
    assert hot.data(first, 9999) is None
    spoken = hot.data(first, 0x0B)  # Qt.AccessibleTextRole
    assert spoken == "Ana, at Acme, next step: Call"
    assert hot.row_of(hot.data(hot.index(1), LeadRole.LEAD_ID)) == 1
