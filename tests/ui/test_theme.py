"""The window follows a dark system scheme: palette and painted cards turn dark together."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from followthrough.ui.theme import apply_color_scheme, is_dark
from tests.conftest import NOW


def _card_background(window: MainWindow) -> int:
    view = window.columns["hot"].view
    image: QImage = view.viewport().grab().toImage()
    rect = view.visualRect(view.model().index(0, 0))
    return image.pixelColor(rect.left() + 7, rect.center().y()).lightness()  # inside, left of text


def test_a_dark_scheme_darkens_the_board_and_light_brings_it_back(
    qtbot: QtBot, db: Database, ops: Operations
) -> None:
    add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow(ops)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.board_loaded, timeout=5000):
        window.show()
    try:
        light = _card_background(window)
        apply_color_scheme(app, Qt.ColorScheme.Dark)
        assert is_dark(app.palette())
        qtbot.waitUntil(lambda: is_dark(window.palette()), timeout=5000)
        assert _card_background(window) < light - 60
        apply_color_scheme(app, Qt.ColorScheme.Light)
        assert not is_dark(app.palette())
        qtbot.waitUntil(lambda: not is_dark(window.palette()), timeout=5000)
        assert abs(_card_background(window) - light) < 10
    finally:
        app.setPalette(QPalette())
