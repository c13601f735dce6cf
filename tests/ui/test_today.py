"""The Today list: urgent first, and Done / Dismiss / Snooze act on the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.services import alerts, leads
from followthrough.store.db import Database
from followthrough.ui.alerts.today import snooze_presets
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations


@pytest.fixture
def window(qtbot: QtBot, db: Database, ops: Operations) -> MainWindow:
    now = datetime.now(UTC)
    quiet = leads.add_lead(db, NewLead.create(name="Quiet Ana", now=now, next_step="Pilot"), now)
    leads.log_event(db, quiet.id, SignalKind.SENT, at=now - timedelta(days=3), now=now)
    missed = leads.add_lead(db, NewLead.create(name="Missed Bob", now=now, next_step="Demo"), now)
    leads.log_event(db, missed.id, SignalKind.MEETING_MISSED, at=now - timedelta(hours=1), now=now)
    alerts.tick(db, now)
    win = MainWindow(ops)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.today.loaded, timeout=5000):
        win.show()
    qtbot.waitUntil(lambda: win.columns["hot"].model.rowCount() == 2, timeout=5000)
    return win


def rows(win: MainWindow) -> list[str]:
    model = win.today.model
    return [model.data(model.index(i)).split("\n")[0] for i in range(model.rowCount())]


def test_today_lists_open_alerts_most_urgent_first(window: MainWindow) -> None:
    assert rows(window) == ["Missed Bob · meeting missed", "Quiet Ana · silence"]
    assert window.today.title.text() == "Today (2)"
    assert not window.today.draft.isEnabled()  # drafting comes with its own issue


def test_selecting_an_alert_selects_its_lead_on_the_board(qtbot: QtBot, window: MainWindow) -> None:
    window.today.view.setCurrentIndex(window.today.model.index(1))
    hot = window.columns["hot"]
    qtbot.waitUntil(lambda: hot.view.currentIndex().isValid(), timeout=2000)
    assert hot.model.data(hot.view.currentIndex()) == "Quiet Ana"


def test_done_and_dismiss_resolve_in_the_database(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    window.today.view.setCurrentIndex(window.today.model.index(0))
    with qtbot.waitSignal(window.today.loaded, timeout=5000):
        window.today.done.click()
    assert rows(window) == ["Quiet Ana · silence"]
    window.today.view.setCurrentIndex(window.today.model.index(0))
    with qtbot.waitSignal(window.today.loaded, timeout=5000):
        window.today.dismiss.click()
    assert window.today.title.text() == "Today: nothing needs you"
    assert not window.today.done.isEnabled()  # nothing left to act on
    statuses = {a.rule: a.status for a in alerts.list_alerts(db, include_resolved=True)}
    assert statuses == {"meeting_missed": "done", "silence": "dismissed"}


def test_snooze_presets_put_the_alert_aside(qtbot: QtBot, window: MainWindow, db: Database) -> None:
    now = datetime.now(UTC)
    labels = [label for label, _ in snooze_presets(now)]
    assert labels == ["For 1 hour", "Until tomorrow morning", "Until next week"]
    window.today.view.setCurrentIndex(window.today.model.index(1))
    with qtbot.waitSignal(window.today.loaded, timeout=5000):
        window.today.snooze_until(snooze_presets(now)[1][1])
    assert rows(window) == ["Missed Bob · meeting missed"]
    [snoozed] = [a for a in alerts.list_alerts(db, include_resolved=True) if a.status == "snoozed"]
    assert snoozed.snoozed_until is not None
    assert snoozed.snoozed_until.astimezone().hour == 9


def test_snooze_until_a_typed_time(qtbot: QtBot, window: MainWindow, db: Database) -> None:
    window.today.view.setCurrentIndex(window.today.model.index(0))
    window.today._fill_snooze_menu()
    texts = [a.text() for a in window.today.snooze_menu.actions() if a.text()]
    assert texts[-1] == "&Pick a time…"
    dialog = window.today.pick_snooze_time()
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dialog.until, "-2d")
    assert not ok.isEnabled()
    assert "passed" in dialog.hint.text()
    dialog.until.setText("+3d")
    assert ok.isEnabled()
    assert dialog.hint.text().startswith("→ ")
    with qtbot.waitSignal(window.today.loaded, timeout=5000):
        ok.click()
    [snoozed] = [a for a in alerts.list_alerts(db, include_resolved=True) if a.status == "snoozed"]
    assert snoozed.snoozed_until is not None
    assert (
        timedelta(days=2, hours=23) < snoozed.snoozed_until - datetime.now(UTC) <= timedelta(days=3)
    )


def test_draft_opens_the_follow_up_for_the_chosen_alert(qtbot: QtBot, window: MainWindow) -> None:
    from followthrough.ui.drafting.dialog import DraftDialog

    window.today.view.setCurrentIndex(window.today.model.index(0))
    assert window.today.draft.isEnabled()
    window.today.draft.click()
    qtbot.waitUntil(lambda: bool(window.findChildren(DraftDialog)), timeout=5000)
    [dialog] = window.findChildren(DraftDialog)
    qtbot.waitUntil(lambda: bool(dialog.body.toPlainText()), timeout=5000)
    assert dialog.body.toPlainText().startswith("Hi Missed,")  # the missed meeting comes first
    assert "missed" in dialog.body.toPlainText()
    dialog.reject()
