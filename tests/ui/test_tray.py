"""The tray icon: its menu leads back into the app, and the open-alert count shows on it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from followthrough.ui.tray import TrayIcon


@pytest.fixture
def tray(qtbot: QtBot) -> TrayIcon:
    return TrayIcon()


def menu_entries(tray: TrayIcon) -> list[str]:
    return [a.text() for a in tray.tray.contextMenu().actions() if not a.isSeparator()]


def picture(tray: TrayIcon, size: int = 32) -> QImage:
    return tray.tray.icon().pixmap(size, size).toImage()


def test_the_menu_offers_open_today_and_quit(tray: TrayIcon) -> None:
    assert menu_entries(tray) == ["&Open Followthrough", "&Today", "&Quit"]


@pytest.mark.parametrize(
    ("entry", "signal"),
    [
        ("&Open Followthrough", "open_requested"),
        ("&Today", "today_requested"),
        ("&Quit", "quit_requested"),
    ],
)
def test_each_menu_entry_asks_for_its_action(
    qtbot: QtBot, tray: TrayIcon, entry: str, signal: str
) -> None:
    (action,) = [a for a in tray.tray.contextMenu().actions() if a.text() == entry]
    others = [s for s in ("open_requested", "today_requested", "quit_requested") if s != signal]
    with qtbot.waitSignal(getattr(tray, signal), timeout=1000):
        action.trigger()
    for other in others:  # and nothing else
        with qtbot.assertNotEmitted(getattr(tray, other)):
            action.trigger()


def test_a_click_on_the_icon_opens_the_window(qtbot: QtBot, tray: TrayIcon) -> None:
    with qtbot.waitSignal(tray.open_requested, timeout=1000):
        tray.tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)


def test_the_count_shows_in_the_tooltip(tray: TrayIcon) -> None:
    assert tray.tray.toolTip() == "Followthrough — no open alerts"
    tray.set_count(1)
    assert tray.tray.toolTip() == "Followthrough — 1 open alert"
    tray.set_count(4)
    assert tray.tray.toolTip() == "Followthrough — 4 open alerts"


def test_the_count_changes_the_icon(tray: TrayIcon) -> None:
    plain = picture(tray)
    assert not plain.isNull()
    tray.set_count(3)
    three = picture(tray)
    tray.set_count(4)
    four = picture(tray)
    assert plain != three  # a badge appeared
    assert three != four  # and it says the number
    tray.set_count(0)
    assert picture(tray) == plain  # nothing open: the plain icon again


def test_the_badge_is_drawn_in_the_palette_highlight(tray: TrayIcon) -> None:
    tray.set_count(7)
    image = picture(tray, 64)
    highlight = QGuiApplication.palette().color(QPalette.ColorRole.Highlight)
    # Just inside the badge's rounded edge, bottom right, where the digit does not reach.
    corner = image.pixelColor(image.width() - 12, image.height() - 4)
    assert corner.rgb() == highlight.rgb()


def test_a_large_count_fits_in_the_badge(tray: TrayIcon) -> None:
    tray.set_count(99)
    ninety_nine = picture(tray)
    tray.set_count(1234)
    assert picture(tray) != ninety_nine  # "99+" differs from "99"
    assert tray.tray.toolTip() == "Followthrough — 1234 open alerts"


def test_the_badge_follows_a_switch_to_a_dark_theme(tray: TrayIcon) -> None:
    app = QGuiApplication.instance()
    assert isinstance(app, QGuiApplication)
    before = app.palette()
    tray.set_count(7)
    dark = QPalette(before)
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3d7bd9"))
    try:
        app.setPalette(dark)
        app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        image = picture(tray, 64)
        assert image.pixelColor(image.width() - 12, image.height() - 4).name() == "#3d7bd9"
    finally:
        app.setPalette(before)
