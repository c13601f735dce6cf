"""The first-run panel: explains the columns, and its buttons do what they say."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QScrollArea
from pytestqt.qtbot import QtBot

from followthrough.domain.states import BOARD_STATES
from followthrough.services import sample
from followthrough.store.db import Database
from followthrough.ui.changes import LEADS
from followthrough.ui.first_run import FirstRunPanel
from followthrough.ui.ops import Operations
from tests.conftest import NOW


@pytest.fixture
def panel(qtbot: QtBot, ops: Operations) -> FirstRunPanel:
    widget = FirstRunPanel(ops)
    qtbot.addWidget(widget)
    widget.resize(1080, 680)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_each_column_is_explained(panel: FirstRunPanel) -> None:
    assert panel.heading.text() == "Your pipeline is empty"
    assert set(panel.explanations) == set(BOARD_STATES)
    assert all(label.isVisible() and label.text() for label in panel.explanations.values())
    assert panel.add_button.isVisible()
    assert panel.sample_button.isVisible()
    assert panel.import_button.isVisible()
    assert not panel.problem.isVisible()


def test_every_button_has_a_name_and_a_key(panel: FirstRunPanel) -> None:
    for button in panel.findChildren(QPushButton):
        assert button.accessibleName()
        assert "&" in button.text()


def test_add_your_first_lead_asks_for_the_add_dialog(qtbot: QtBot, panel: FirstRunPanel) -> None:
    with qtbot.waitSignal(panel.add_requested, timeout=1000):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)


def test_the_sample_loads_in_the_background_and_the_panel_says_so(
    qtbot: QtBot, panel: FirstRunPanel, ops: Operations, db: Database
) -> None:
    with (
        qtbot.waitSignal(panel.sample_loaded, timeout=10000) as loaded,
        qtbot.waitSignal(ops.changed, timeout=10000) as told,
    ):
        panel.sample_button.click()  # returns before the event loop can deliver the result
        # While it loads, a second click cannot start a second copy.
        assert not panel.sample_button.isEnabled()
        assert panel.sample_button.text() == "Loading the sample…"
    assert loaded.args == [48]
    assert told.args == [LEADS]  # leads and their alerts; no setting, rule or template
    assert sample.sample_loaded(db)
    assert not sample.board_is_empty(db)
    assert panel.sample_button.isEnabled()
    assert not panel.problem.isVisible()


def test_a_refused_sample_is_explained_inline(
    qtbot: QtBot, panel: FirstRunPanel, db: Database
) -> None:
    sample.load_sample(db, NOW)
    with qtbot.assertNotEmitted(panel.sample_loaded):
        qtbot.mouseClick(panel.sample_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(panel.problem.isVisible, timeout=10000)
    assert "already loaded" in panel.problem.text()
    assert panel.sample_button.isEnabled()
    assert panel.sample_button.text() == "E&xplore a sample pipeline"


@pytest.mark.parametrize("width", [1080, 420])
def test_the_text_wraps_instead_of_scrolling_sideways(
    qtbot: QtBot, panel: FirstRunPanel, width: int
) -> None:
    panel.resize(width, 680)
    scroll = panel.findChild(QScrollArea)
    assert scroll is not None
    viewport = scroll.viewport()
    qtbot.waitUntil(lambda: scroll.widget().width() <= viewport.width(), timeout=2000)
    for widget in [*panel.explanations.values(), panel.add_button, panel.sample_button]:
        right = widget.mapTo(viewport, widget.rect().topRight()).x()
        assert 0 <= right <= viewport.width()
