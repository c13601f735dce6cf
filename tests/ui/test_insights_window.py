"""The Insights window, used as a person does: opened from the View menu, its pages chosen with
the mouse, rows and bars clicked through to the leads behind them (offscreen), and once on a
real X server for a screenshot."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.services.insights import catalog
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.ui.changes import LEADS, TEMPLATES
from followthrough.ui.insights.page import ReportPage
from followthrough.ui.insights.window import InsightsWindow
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from tests.conftest import NOW
from tests.support.components import require_program
from tests.ui.cards import WAIT, shown_window
from tests.ui.insights_reports import HOLD, RELEASE, SPECS

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def leads(db: Database) -> dict[str, int]:
    made = {}
    for name, state in (("Ana Silva", State.HOT), ("Bo Chen", State.WARM),
                        ("Cleo Park", State.WARM), ("Dev Rao", State.WARM)):  # fmt: skip
        made[name] = add_lead(db, NewLead.create(name=name, state=state, now=NOW), NOW).id
    return made


@pytest.fixture
def main(
    qtbot: QtBot, ops: Operations, leads: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setattr(catalog, "REPORTS", SPECS)  # what the window lists by default
    yield shown_window(qtbot, ops, (1400, 900))
    RELEASE.set()  # a test that held a read lets it go, whatever happened
    HOLD.clear()


def opened(qtbot: QtBot, main: MainWindow) -> InsightsWindow:
    """Ctrl+Shift+I, as a person presses it; the first page read and shown."""
    QTest.keyClick(main, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(lambda: bool(main.findChildren(InsightsWindow)), timeout=WAIT)
    [insights] = main.findChildren(InsightsWindow)
    qtbot.waitExposed(insights)
    qtbot.waitUntil(lambda: page(insights).view is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: not insights.ops.busy, timeout=WAIT)  # the suggestions read too
    return insights


def page(insights: InsightsWindow) -> ReportPage:
    shown = insights.page()
    assert shown is not None
    return shown


def figures(insights: InsightsWindow) -> list[tuple[str, str]]:
    return [(box.label.text(), box.value.text()) for box in page(insights).figures]


def cells(table: QTableView) -> list[list[str]]:
    model = table.model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def choose_page(qtbot: QtBot, insights: InsightsWindow, title: str) -> None:
    """Click the report's name in the list on the left; wait for its read if it needs one."""
    [item] = insights.index.findItems(title, Qt.MatchFlag.MatchExactly)
    rect = insights.index.visualItemRect(item)
    target = insights.by_key[next(s.key.value for s in SPECS if s.title == title)]
    if target.view is None:
        with qtbot.waitSignal(insights.loaded, timeout=WAIT):
            QTest.mouseClick(insights.index.viewport(), LEFT, pos=rect.center())
    else:
        QTest.mouseClick(insights.index.viewport(), LEFT, pos=rect.center())
    assert page(insights) is target


def click_row(table: QTableView, first_cell: str) -> None:
    row = [line[0] for line in cells(table)].index(first_cell)
    index = table.model().index(row, 0)
    QTest.mouseClick(table.viewport(), LEFT, pos=table.visualRect(index).center())


def test_each_page_shows_its_figures_chart_and_tables(qtbot: QtBot, main: MainWindow) -> None:
    insights = opened(qtbot, main)
    assert [insights.index.item(row).text() for row in range(insights.index.count())] == [
        "Where silence happens", "What works",
    ]  # fmt: skip
    quiet = page(insights)
    assert quiet.period.currentText() == "Last 30 days"  # the report's own default
    assert figures(insights) == [
        ("Leads", "4"), ("Days", "30"), ("Replied", "3 of 7 (43 %)"), ("Median reply", "3.5 days"),
    ]  # fmt: skip
    assert quiet.figures[2].toolTip() == "Leads that replied after going quiet"
    assert quiet.chart.isVisible()
    assert quiet.chart.accessibleDescription().startswith(
        "Hot — Quiet: 1, Re-engaged: 1; Warm — Quiet: 3"
    )
    [table] = quiet.tables
    assert cells(table) == [
        ["Hot", "1", "9 of 14 (64 %)", "6 h"],
        ["Warm", "3", "2 of 3 (too few to rate)", "3.5 days"],
        ["Recycle", "0", "10 of 12 (83 %)", "45 min"],
    ]

    # Sorted by what the cells mean, not by their words.
    header = table.horizontalHeader()
    QTest.mouseClick(header.viewport(), LEFT, pos=QPoint(header.sectionViewportPosition(2) + 5, 5))
    assert [line[0] for line in cells(table)] == ["Warm", "Hot", "Recycle"]  # unrated first
    QTest.mouseClick(header.viewport(), LEFT, pos=QPoint(header.sectionViewportPosition(3) + 5, 5))
    assert [line[0] for line in cells(table)] == ["Recycle", "Hot", "Warm"]

    choose_page(qtbot, insights, "What works")
    works = page(insights)
    assert works.figures == []
    assert works.tables == []
    assert [label.text() for label in works.empty_tables] == ["Nothing in this period."]
    assert works.chart.accessibleDescription() == "Nothing in this period"
    assert works.period.currentText() == "Last 60 days"

    # Another period: the report is read again for it.
    choose_page(qtbot, insights, "Where silence happens")
    with qtbot.waitSignal(insights.loaded, timeout=WAIT):
        quiet.period.setCurrentIndex(quiet.period.findText("Last 7 days"))
    assert ("Days", "7") in figures(insights)
    assert [quiet.period.itemText(i) for i in range(quiet.period.count())] == [
        "Last 7 days", "Last 30 days", "Last 60 days", "Last 90 days",
    ]  # fmt: skip


def test_rows_and_bars_lead_to_their_leads(
    qtbot: QtBot, main: MainWindow, leads: dict[str, int]
) -> None:
    insights = opened(qtbot, main)
    [table] = page(insights).tables

    click_row(table, "Hot")  # one lead: it becomes the main window's current lead
    qtbot.waitUntil(lambda: main.current.id == leads["Ana Silva"], timeout=WAIT)
    qtbot.waitUntil(lambda: main.lead_panel.fields["name"].text() == "Ana Silva", timeout=WAIT)
    assert insights.leads.isHidden()

    click_row(table, "Warm")  # several: listed beside the report
    qtbot.waitUntil(lambda: insights.leads.list.count() == 3, timeout=WAIT)
    assert insights.leads.isVisible()
    assert insights.leads.caption.text() == "By state: Warm"
    assert insights.leads.names() == ["Bo Chen — Warm", "Cleo Park — Warm", "Dev Rao — Warm"]
    assert main.current.id == leads["Ana Silva"]  # nothing chosen yet
    item = insights.leads.list.item(1)
    rect = insights.leads.list.visualItemRect(item)
    QTest.mouseClick(insights.leads.list.viewport(), LEFT, pos=rect.center())
    qtbot.waitUntil(lambda: main.current.id == leads["Cleo Park"], timeout=WAIT)
    qtbot.waitUntil(lambda: main.lead_panel.fields["name"].text() == "Cleo Park", timeout=WAIT)

    click_row(table, "Recycle")  # no lead behind it: nothing changes
    assert main.current.id == leads["Cleo Park"]

    chart = page(insights).chart
    hot = next(slot for slot in chart.slots() if slot.bar.label == "Hot")
    QTest.mouseClick(chart, LEFT, pos=hot.area.center().toPoint())
    qtbot.waitUntil(lambda: main.current.id == leads["Ana Silva"], timeout=WAIT)
    warm = next(slot for slot in chart.slots() if slot.bar.label == "Warm")
    QTest.mouseClick(chart, LEFT, pos=warm.area.center().toPoint())
    qtbot.waitUntil(
        lambda: insights.leads.caption.text() == "Went quiet, by state: Warm", timeout=WAIT
    )
    qtbot.waitUntil(lambda: insights.leads.list.count() == 3, timeout=WAIT)


def test_the_window_reads_again_when_leads_change_and_not_for_templates(
    qtbot: QtBot, main: MainWindow, db: Database, ops: Operations
) -> None:
    insights = opened(qtbot, main)
    add_lead(db, NewLead.create(name="Eve Moss", state=State.WARM, now=NOW), NOW)
    ops.announce(TEMPLATES)
    assert not ops.busy  # templates are in no report: nothing is read
    with qtbot.waitSignal(insights.loaded, timeout=WAIT):
        ops.announce(LEADS)
    assert ("Leads", "5") in figures(insights)
    assert cells(page(insights).tables[0])[1][:2] == ["Warm", "4"]

    # Asked for again (the menu, as well as the key): the same window, brought forward.
    main.menus["insights"].trigger()
    assert main.findChildren(InsightsWindow) == [insights]
    assert insights.isVisible()


def test_an_answer_for_a_closed_window_is_dropped(
    qtbot: QtBot, main: MainWindow, ops: Operations
) -> None:
    insights = opened(qtbot, main)
    quiet = page(insights)
    shown = quiet.view
    HOLD.set()
    RELEASE.clear()
    quiet.period.setCurrentIndex(quiet.period.findText("Last 90 days"))  # a read, held
    assert quiet.status.text() == "Working…"
    with qtbot.assertNotEmitted(insights.loaded):
        insights.close()
        RELEASE.set()
        qtbot.waitUntil(lambda: not ops.busy, timeout=WAIT)
    assert quiet.view is shown  # the held answer never reached the closed window

    # Opened again: it reads afresh and shows it.
    HOLD.clear()
    with qtbot.waitSignal(insights.loaded, timeout=WAIT):
        main.menus["insights"].trigger()
    assert ("Days", "90") in figures(insights)

    # Deleted with a read on its way (its main window went away): nothing is called back.
    HOLD.set()
    RELEASE.clear()
    quiet.period.setCurrentIndex(quiet.period.findText("Last 7 days"))
    insights.deleteLater()
    qtbot.waitUntil(lambda: not main.findChildren(InsightsWindow), timeout=WAIT)
    RELEASE.set()
    qtbot.waitUntil(lambda: not ops.busy, timeout=WAIT)


def test_start_up_does_not_import_the_insights_window() -> None:
    code = (
        "import sys\n"
        "import followthrough.ui.app, followthrough.ui.main_window\n"
        "import followthrough.ui.window_menus, followthrough.ui.window_dialogs\n"
        "print(sorted(m for m in sys.modules if m.startswith('followthrough.ui.insights')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    assert done.stdout.strip() == "[]"


@pytest.mark.xvfb
def test_screenshot_of_the_insights_window_on_a_real_x_server(
    x_display: str, db: Database, leads: dict[str, int], test_output: Path
) -> None:
    require_program("Xvfb")
    shot = test_output / "insights.png"
    shot.unlink(missing_ok=True)
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb",
           "PYTHONPATH": os.pathsep.join(sys.path)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.insights_reports", str(db.path.parent), str(shot)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 1000
    assert image.height() >= 600
