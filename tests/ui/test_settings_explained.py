"""Settings that explain themselves: whole numbers as whole numbers, fields in line, where the
data lives now and from the next start, and an option that cannot work here says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QFileDialog, QFormLayout, QWidget
from pytestqt.qtbot import QtBot

from followthrough.paths import DataPaths
from followthrough.services.policy import update_policy
from followthrough.store.db import Database
from followthrough.ui.notify import AlertNotifier
from followthrough.ui.ops import Operations
from followthrough.ui.settings import SettingsDialog
from followthrough.ui.settings.fields import SettingsPage
from tests.support.notification_server import notification_server, private_session_bus


def open_settings(qtbot: QtBot, ops: Operations, parent: QWidget | None = None) -> SettingsDialog:
    dialog = SettingsDialog(ops, parent)
    if parent is None:
        qtbot.addWidget(dialog)
    with qtbot.waitSignals([dialog.loaded, dialog.data.location_loaded], timeout=5000):
        dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def show_tab(qtbot: QtBot, dialog: SettingsDialog, page: SettingsPage) -> None:
    """Click the page's tab, as a person does."""
    bar = dialog.tabs.tabBar()
    rect = bar.tabRect(dialog.tabs.indexOf(page))
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: dialog.tabs.currentWidget() is page and page.isVisible(), timeout=2000)


def shown(box: QAbstractSpinBox) -> str:
    return box.lineEdit().text()


def test_whole_numbers_read_as_whole_numbers(qtbot: QtBot, ops: Operations, db: Database) -> None:
    update_policy(db, {"outcome_days": 1.5, "stall_hours": 36})
    dialog = open_settings(qtbot, ops)
    spins = dialog.follow_up.spins
    assert shown(spins["hot_silence_days"]) == "2 days"
    assert shown(spins["stall_hours"]) == "36 hours"
    assert shown(spins["outcome_days"]) == "1.5 days"  # decimals when the value has them
    assert shown(spins["guard_touches"]) == "3 messages"
    for name, spin in spins.items():
        if float(spin.value()).is_integer():
            assert not set(".,") & set(shown(spin)), name

    # Typed by a person: a fraction stays, a whole number is whole again.
    spin = spins["hot_silence_days"]
    QTest.mouseClick(spin.lineEdit(), Qt.MouseButton.LeftButton)
    spin.selectAll()
    qtbot.keyClicks(spin, "0.25")
    qtbot.keyClick(spin, Qt.Key.Key_Tab)
    assert spin.value() == 0.25
    assert shown(spin) == "0.25 days"

    # A decimal comma where the person's locale writes one, and still no ",00".
    spin.setLocale(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    spin.setValue(2)
    assert shown(spin) == "2 days"
    spin.setValue(1.5)
    assert shown(spin) == "1,5 days"


def test_number_boxes_have_one_width_per_page_and_forms_align_alike(
    qtbot: QtBot, ops: Operations
) -> None:
    dialog = open_settings(qtbot, ops)
    pages = {
        dialog.follow_up: list(dialog.follow_up.spins.values()),
        dialog.notifications: [dialog.notifications.work_start, dialog.notifications.work_end],
        dialog.data: [dialog.data.keep_daily, dialog.data.keep_weekly],
        dialog.mail: [dialog.mail.port, dialog.mail.interval],
    }
    for page, boxes in pages.items():
        show_tab(qtbot, dialog, page)
        assert len({box.width() for box in boxes}) == 1, page.objectName() or type(page).__name__
        for box in boxes:  # wide enough for what it shows
            text = box.lineEdit().text()
            assert box.lineEdit().width() >= box.fontMetrics().horizontalAdvance(text)
    # The method's numbers sit in several group boxes: still one column.
    show_tab(qtbot, dialog, dialog.follow_up)
    lefts = {spin.mapTo(dialog, QPoint(0, 0)).x() for spin in dialog.follow_up.spins.values()}
    assert len(lefts) == 1
    forms = dialog.findChildren(QFormLayout)
    assert len(forms) >= 6
    assert len({int(form.labelAlignment().value) for form in forms}) == 1
    assert len({form.fieldGrowthPolicy() for form in forms}) == 1


def test_the_data_page_says_where_the_data_is_now_and_from_the_next_start(
    qtbot: QtBot,
    ops: Operations,
    data_paths: DataPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = data_paths.root
    # As if started with --data-dir: the next start from the menu uses the default folder,
    # so the page names no other folder only once this one is chosen for the next start.
    chosen: list[Path] = [here]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(chosen[0]))
    dialog = open_settings(qtbot, ops)
    show_tab(qtbot, dialog, dialog.data)
    page = dialog.data
    with qtbot.waitSignal(page.location_saved, timeout=5000):
        QTest.mouseClick(page.use_other, Qt.MouseButton.LeftButton)
    assert page.next_start.text() == f"Your data is in {here}."

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    chosen[0] = elsewhere
    with qtbot.waitSignal(page.location_saved, timeout=5000):
        QTest.mouseClick(page.use_other, Qt.MouseButton.LeftButton)
    assert page.next_start.text() == f"Your data is in {here}. From the next start: {elsewhere}."
    assert page.next_start.isVisible()
    assert page.next_start.wordWrap()
    assert page.next_start.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse


def test_pop_ups_without_a_session_bus_are_disabled_with_the_reason_beside_them(
    qtbot: QtBot, ops: Operations, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/followthrough-bus")
    window = QWidget()
    qtbot.addWidget(window)
    notifier = AlertNotifier(ops, parent=window)  # as the session makes it, on the window
    try:
        qtbot.waitUntil(lambda: not notifier.available, timeout=10000)
        dialog = open_settings(qtbot, ops, window)
        show_tab(qtbot, dialog, dialog.notifications)
        page = dialog.notifications
        assert not page.notifications.isEnabled()
        note = page.notifications_note
        assert note.isVisible()
        assert note.wordWrap()
        assert note.text() == (
            "Desktop notifications are unavailable: no desktop session bus was found. "
            "Alerts still wait in Today."
        )
        # Beside the option, not only in a tooltip: the very next thing under it.
        assert note.geometry().top() >= page.notifications.geometry().bottom()
        assert note.geometry().top() - page.notifications.geometry().bottom() < 20
        dialog.reject()
    finally:
        notifier.shutdown()


def test_pop_ups_come_back_when_a_notification_server_answers(
    qtbot: QtBot, ops: Operations, monkeypatch: pytest.MonkeyPatch
) -> None:
    with private_session_bus() as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus)
        window = QWidget()
        qtbot.addWidget(window)
        notifier = AlertNotifier(ops, parent=window)
        try:
            qtbot.waitUntil(lambda: not notifier.available, timeout=10000)
            dialog = open_settings(qtbot, ops, window)
            page = dialog.notifications
            assert not page.notifications.isEnabled()
            assert "no notification service is running" in page.notifications_note.text()
            with notification_server(bus):
                notifier.bridge.probe()
                qtbot.waitUntil(page.notifications.isEnabled, timeout=10000)
                assert page.notifications_note.isHidden()
                notifier.shutdown()
        finally:
            notifier.shutdown()


def test_start_at_login_without_a_tray_says_the_window_will_open(
    qtbot: QtBot, ops: Operations, monkeypatch: pytest.MonkeyPatch
) -> None:
    import followthrough.ui.settings.habits_pages as habits

    if not habits.HAS_AUTOSTART:
        pytest.skip("starting at login is offered on Linux only")
    monkeypatch.setattr(habits, "tray_available", lambda: False)
    dialog = open_settings(qtbot, ops)
    show_tab(qtbot, dialog, dialog.notifications)
    page = dialog.notifications
    assert page.start_at_login.isEnabled()  # it still starts the app: only not in the tray
    assert page.tray_note.isVisible()
    assert "No system tray" in page.tray_note.text()
    monkeypatch.setattr(habits, "tray_available", lambda: True)
    assert not open_settings(qtbot, ops).notifications.tray_note.text()
