"""The lead panel: fields edited in place, quick logging, the timeline, undo, and deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListView, QToolButton
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.services import alerts, leads
from followthrough.services.lead_queries import get_lead
from followthrough.store.db import Database
from followthrough.ui.actions import LeadActions
from followthrough.ui.lead.inline import InlineField
from followthrough.ui.lead.panel import EMPTY_TEXT, LeadPanel
from followthrough.ui.ops import Operations
from tests.conftest import NOW

WAIT = 5000


@pytest.fixture
def actions(ops: Operations) -> LeadActions:
    return LeadActions(ops)


@pytest.fixture
def panel(qtbot: QtBot, ops: Operations, actions: LeadActions) -> LeadPanel:
    # Typed times are read from NOW (a Monday), so "fri" has one right answer.
    widget = LeadPanel(ops, actions, clock=lambda: NOW)
    # In the window, the window's one read brings the lead again after a change; alone, the
    # panel is told to read it again itself.
    ops.changed.connect(lambda _changes: widget.refresh())
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def add(db: Database, name: str, **fields: object) -> int:
    # A minute ago on the wall clock: what the panel logs now reads after it.
    at = datetime.now(UTC) - timedelta(minutes=1)
    new = NewLead.create(name=name, now=at, **fields)  # type: ignore[arg-type]
    return leads.add_lead(db, new, at).id


def show(qtbot: QtBot, panel: LeadPanel, lead_id: int | None) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.show_lead(lead_id)


def retype(qtbot: QtBot, field: InlineField, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)


def lines(panel: LeadPanel) -> list[str]:
    model = panel.timeline
    return [model.data(model.index(row)) for row in range(model.rowCount())]


def test_empty_until_a_lead_is_chosen(qtbot: QtBot, panel: LeadPanel, db: Database) -> None:
    assert panel.pages.currentWidget() is panel.empty
    assert panel.empty.text() == EMPTY_TEXT
    assert not panel.log_actions[SignalKind.REPLIED].isEnabled()
    lead_id = add(db, "Ana Silva", company="Acme", email="ana@acme.com", tags=["saas", "fr"])
    show(qtbot, panel, lead_id)
    assert panel.pages.currentWidget() is panel.details
    shown = {key: field.text() for key, field in panel.fields.items()}
    assert shown["name"] == "Ana Silva"
    assert (shown["company"], shown["email"], shown["tags"]) == ("Acme", "ana@acme.com", "saas, fr")
    assert panel.state.text().startswith("Hot since ")
    show(qtbot, panel, None)
    assert panel.pages.currentWidget() is panel.empty


def test_editing_the_company_in_place_saves_it(
    qtbot: QtBot, panel: LeadPanel, actions: LeadActions, db: Database
) -> None:
    lead_id = add(db, "Ana Silva", company="Acme")
    show(qtbot, panel, lead_id)
    retype(qtbot, panel.fields["company"], "Acme Europe")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        qtbot.keyClick(panel.fields["company"], Qt.Key.Key_Return)
    assert get_lead(db, lead_id).lead.company == "Acme Europe"
    assert panel.fields["company"].text() == "Acme Europe"
    assert actions.stack.undoText() == "Change company of Ana Silva"


def test_an_invalid_email_is_explained_kept_and_not_written(
    qtbot: QtBot, panel: LeadPanel, actions: LeadActions, db: Database
) -> None:
    lead_id = add(db, "Ana Silva", email="ana@acme.com")
    show(qtbot, panel, lead_id)
    email = panel.fields["email"]
    retype(qtbot, email, "ana@acme")
    qtbot.keyClick(email, Qt.Key.Key_Return)
    assert email.problem.text() == "'ana@acme' is not a valid e-mail address."
    assert email.text() == "ana@acme"
    # A refresh caused by another change leaves the text being fixed alone.
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.log_buttons[SignalKind.SENT].click()
    assert email.text() == "ana@acme"
    assert get_lead(db, lead_id).lead.email == "ana@acme.com"
    assert actions.stack.count() == 1  # only the logged signal
    # Fixing it clears the message as the user types; Escape puts the stored value back.
    qtbot.keyClicks(email, ".com")
    assert email.problem.text() == ""
    qtbot.keyClick(email, Qt.Key.Key_Escape)
    assert email.text() == "ana@acme.com"


def test_a_duplicate_email_is_refused_inline(
    qtbot: QtBot, panel: LeadPanel, actions: LeadActions, db: Database
) -> None:
    bob = add(db, "Bob Chen", email="bob@acme.com")
    lead_id = add(db, "Ana Silva", email="ana@acme.com")
    show(qtbot, panel, lead_id)
    email = panel.fields["email"]
    retype(qtbot, email, "BOB@acme.com")
    qtbot.keyClick(email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "already has the e-mail" in email.problem.text(), timeout=WAIT)
    assert email.problem.text().startswith(f"#{bob} Bob Chen already has the e-mail")
    assert email.text() == "BOB@acme.com"
    assert get_lead(db, lead_id).lead.email == "ana@acme.com"
    assert actions.stack.count() == 0


def test_the_due_field_reads_what_the_command_line_reads(
    qtbot: QtBot, panel: LeadPanel, db: Database
) -> None:
    lead_id = add(db, "Ana Silva", next_step="Send the pilot plan")
    show(qtbot, panel, lead_id)
    due = panel.fields["due"]
    retype(qtbot, due, "someday")
    assert panel.due_hint.text() == ""
    qtbot.keyClick(due, Qt.Key.Key_Return)
    assert due.problem.text().startswith("Cannot read 'someday'")
    assert get_lead(db, lead_id).lead.next_step_due is None

    retype(qtbot, due, "fri")
    # Friday 27 November, 09:00 in Paris, is 08:00 UTC.
    assert panel.due_hint.text().startswith("→ Fri 27 Nov")
    assert panel.due_hint.text().endswith("09:00")
    assert due.problem.text() == ""
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        qtbot.keyClick(due, Qt.Key.Key_Return)
    assert get_lead(db, lead_id).lead.next_step_due == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert due.text() == "2026-11-27 09:00"

    retype(qtbot, due, "+3d")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        qtbot.keyClick(due, Qt.Key.Key_Return)
    assert get_lead(db, lead_id).lead.next_step_due == NOW + timedelta(days=3)


def test_a_due_time_needs_a_next_step(qtbot: QtBot, panel: LeadPanel, db: Database) -> None:
    lead_id = add(db, "Ana Silva")
    show(qtbot, panel, lead_id)
    retype(qtbot, panel.fields["due"], "tomorrow")
    qtbot.keyClick(panel.fields["due"], Qt.Key.Key_Return)
    assert panel.fields["due"].problem.text() == "Write the next step before its due time."
    assert get_lead(db, lead_id).lead.next_step_due is None


def test_replied_button_puts_the_reply_at_the_top_of_the_timeline(
    qtbot: QtBot, panel: LeadPanel, db: Database
) -> None:
    lead_id = add(db, "Ana Silva")
    show(qtbot, panel, lead_id)
    assert panel.log_buttons[SignalKind.REPLIED].toolTip().endswith("(Ctrl+Shift+R)")
    qtbot.keyClicks(panel.note, "asked for the pricing")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        panel.log_buttons[SignalKind.REPLIED].click()
    top = lines(panel)[0]
    local = datetime.now().astimezone()
    assert top.startswith(f"{local:%a} {local.day} {local:%b} ")
    assert top.endswith(" · Replied (email) · asked for the pricing")
    assert panel.note.text() == ""
    assert get_lead(db, lead_id).timeline[0].kind == "replied"


def test_log_keys_work_while_the_panel_shows_a_lead(
    qtbot: QtBot, panel: LeadPanel, db: Database
) -> None:
    lead_id = add(db, "Ana Silva")
    show(qtbot, panel, lead_id)
    panel.timeline_view.setFocus()
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        qtbot.keyClick(panel.timeline_view, Qt.Key.Key_H, shift_ctrl)
    assert " · Meeting held (meeting)" in lines(panel)[0]
    # A note asks for its text first, then Enter adds it.
    qtbot.keyClick(panel.timeline_view, Qt.Key.Key_N, shift_ctrl)
    assert panel.log_problem.text() == "Write the note first, then press Enter."
    qtbot.keyClicks(panel.note, "Prefers calls on Tuesdays")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        qtbot.keyClick(panel.note, Qt.Key.Key_Return)
    assert lines(panel)[0].endswith(" · Note · Prefers calls on Tuesdays")


def test_timeline_lists_newest_first_with_alerts(
    qtbot: QtBot, panel: LeadPanel, db: Database
) -> None:
    now = datetime.now(UTC)
    added = now - timedelta(days=4)
    new = NewLead.create(name="Ana Silva", now=added, next_step="Pilot")
    lead_id = leads.add_lead(db, new, added).id
    leads.log_event(db, lead_id, SignalKind.SENT, at=now - timedelta(days=3), now=now)
    [silence] = alerts.tick(db, now)
    show(qtbot, panel, lead_id)
    shown = [line.split(" · ", 1)[1] for line in lines(panel)]
    assert shown == [f"Silence alert · {silence.reason}", "Sent (email)", "Added to Hot"]
    assert panel.state.text().endswith(" · 1 open alert")


def test_a_long_timeline_line_wraps_in_a_narrow_panel_instead_of_being_cut(
    qtbot: QtBot, panel: LeadPanel, db: Database
) -> None:
    lead_id = add(db, "Bob Stone", email="bob@beta.io")
    said = "asked whether the pilot can start before the end of the quarter, and by whom"
    leads.log_event(db, lead_id, SignalKind.REPLIED, note=said, now=datetime.now(UTC))
    panel.resize(330, 700)
    show(qtbot, panel, lead_id)
    view = panel.timeline_view
    top = view.visualRect(panel.timeline.index(0))
    # The whole line is in view: taller than one line of text, no wider than the list.
    assert top.height() > 2 * view.fontMetrics().height()
    assert top.right() <= view.viewport().width()
    assert said in lines(panel)[0]


def test_undo_of_an_edit_restores_the_old_value_in_the_panel(
    qtbot: QtBot, panel: LeadPanel, actions: LeadActions, db: Database
) -> None:
    lead_id = add(db, "Ana Silva", company="Acme")
    show(qtbot, panel, lead_id)
    company = panel.fields["company"]
    retype(qtbot, company, "Globex")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        qtbot.keyClick(company, Qt.Key.Key_Return)
    assert company.text() == "Globex"
    actions.stack.undo()
    qtbot.waitUntil(lambda: company.text() == "Acme", timeout=WAIT)
    assert get_lead(db, lead_id).lead.company == "Acme"


def test_a_lead_deleted_elsewhere_empties_the_panel(
    qtbot: QtBot, panel: LeadPanel, actions: LeadActions, db: Database
) -> None:
    lead_id = add(db, "Ana Silva")
    show(qtbot, panel, lead_id)
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        actions.delete(lead_id, "Ana Silva")
    assert panel.pages.currentWidget() is panel.empty
    assert panel.fields["name"].text() == ""
    assert not panel.log_actions[SignalKind.SENT].isEnabled()


def test_tags_keep_the_typed_order_and_typing_does_not_follow_to_another_lead(
    qtbot: QtBot, panel: LeadPanel, db: Database
) -> None:
    ana = add(db, "Ana Silva", tags=["saas"])
    bob = add(db, "Bob Chen", company="Globex")
    show(qtbot, panel, ana)
    retype(qtbot, panel.fields["tags"], "fr,  saas , #pilot")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT):
        qtbot.keyClick(panel.fields["tags"], Qt.Key.Key_Return)
    assert get_lead(db, ana).lead.tags == ("fr", "saas", "pilot")
    assert panel.fields["tags"].text() == "fr, saas, pilot"
    retype(qtbot, panel.fields["company"], "Half typed")
    show(qtbot, panel, bob)
    assert panel.fields["company"].text() == "Globex"
    assert get_lead(db, ana).lead.company is None


def test_every_control_has_an_accessible_name(qtbot: QtBot, panel: LeadPanel, db: Database) -> None:
    show(qtbot, panel, add(db, "Ana Silva"))
    controls = [
        *panel.details.findChildren(QLineEdit),
        *panel.details.findChildren(QToolButton),
        *panel.details.findChildren(QListView),
    ]
    # fields, note, log buttons, timeline, the list of the reason category's box
    assert len(controls) == 8 + 1 + 7 + 1 + 1
    assert all(control.accessibleName() for control in controls)
