"""The Insights window on the real reports over the shipped sample, and the suggestions strip:
each page opened with the mouse and a row clicked through to its leads; a suggestion applied
with one click and undone with another; a retired template brought back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.services.clock import utcnow
from followthrough.services.insights.catalog import REPORTS
from followthrough.services.policy import get_policy
from followthrough.services.retired_templates import get_retired, retire_template
from followthrough.services.sample import load_sample
from followthrough.store.db import Database
from followthrough.ui.insights.window import InsightsWindow
from followthrough.ui.main_window import MainWindow
from followthrough.ui.ops import Operations
from tests.services.insights.history import DAY, add, log
from tests.ui.cards import WAIT, shown_window

LEFT = Qt.MouseButton.LeftButton
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def opened(qtbot: QtBot, main: MainWindow) -> InsightsWindow:
    QTest.keyClick(main, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(lambda: bool(main.findChildren(InsightsWindow)), timeout=WAIT)
    [insights] = main.findChildren(InsightsWindow)
    qtbot.waitExposed(insights)
    return insights


def test_every_real_report_opens_and_a_row_leads_to_its_lead(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    load_sample(db, utcnow())
    main = shown_window(qtbot, ops, (1400, 900))
    insights = opened(qtbot, main)
    assert [insights.index.item(r).text() for r in range(insights.index.count())] == [
        spec.title for spec in REPORTS
    ]
    for row, spec in enumerate(REPORTS):
        page = insights.by_key[spec.key.value]
        rect = insights.index.visualItemRect(insights.index.item(row))
        if page.view is None:
            with qtbot.waitSignal(insights.loaded, timeout=WAIT * 3):
                QTest.mouseClick(insights.index.viewport(), LEFT, pos=rect.center())
        else:
            QTest.mouseClick(insights.index.viewport(), LEFT, pos=rect.center())
        assert insights.page() is page
        assert page.view is not None
        assert [box.label.text() for box in page.figures] == [f.label for f in page.view.figures]
        # The first table row that names leads: clicking it reaches them.
        found = next(
            (
                (table, number, view_table.rows[number].lead_ids)
                for table, view_table in zip(page.tables, page.view.tables, strict=False)
                for number in range(min(table.model().rowCount(), len(view_table.rows)))
                if view_table.rows[number].lead_ids
            ),
            None,
        )
        assert found is not None, f"{spec.title}: the sample gives it rows with leads"
        table, number, lead_ids = found
        # Sorting is the view's: find the row as shown, by its first cell.
        index = table.model().index(number, 0)
        table.scrollTo(index)
        QTest.mouseClick(table.viewport(), LEFT, pos=table.visualRect(index).center())
        if len(lead_ids) == 1:
            qtbot.waitUntil(lambda ids=lead_ids: main.current.id == ids[0], timeout=WAIT)
        else:
            qtbot.waitUntil(lambda: insights.leads.list.count() > 0, timeout=WAIT)
            item = insights.leads.list.item(0)
            spot = insights.leads.list.visualItemRect(item).center()
            QTest.mouseClick(insights.leads.list.viewport(), LEFT, pos=spot)
            qtbot.waitUntil(lambda ids=lead_ids: main.current.id in ids, timeout=WAIT)
    insights.close()


@pytest.fixture
def early_warm_answers(db: Database) -> int:
    """Five Warm buyers answer within two days of our message: a 7-day window is too long."""
    now = utcnow()
    for i, after in enumerate((1 * DAY, 1 * DAY, 2 * DAY, 2 * DAY, 2 * DAY)):
        lead_id = add(db, f"Warm {i}", now - 30 * DAY, State.WARM)
        log(db, lead_id, SignalKind.SENT, now - 20 * DAY)
        log(db, lead_id, SignalKind.REPLIED, now - 20 * DAY + after)
    return get_policy(db).warm_silence_days


def test_a_suggestion_is_applied_and_undone_with_the_mouse(
    qtbot: QtBot, ops: Operations, db: Database, early_warm_answers: float
) -> None:
    assert early_warm_answers == 7
    main = shown_window(qtbot, ops, (1400, 900))
    QTest.keyClick(main, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(lambda: bool(main.findChildren(InsightsWindow)), timeout=WAIT)
    [insights] = main.findChildren(InsightsWindow)
    bar = insights.suggestions
    qtbot.waitUntil(lambda: "silence:warm:3" in bar.rows, timeout=WAIT * 3)
    assert bar.isVisible()
    button = bar.rows["silence:warm:3"]
    assert button.text() == "Use 3 days"

    with qtbot.waitSignal(bar.applied, timeout=WAIT * 3):
        QTest.mouseClick(button, LEFT)
    assert get_policy(db).warm_silence_days == 3
    assert bar.said.text() == "Applied: Warm silence window: 7 days → 3 days."
    assert bar.undo_button.isVisible()

    # On the main window's undo stack too: Edit › Undo takes it back, Redo applies it again.
    undo, redo = main.menus["undo"], main.menus["redo"]
    qtbot.waitUntil(lambda: undo.isEnabled(), timeout=WAIT)
    assert undo.text() == "&Undo Apply: Warm silence window: 7 days → 3 days"
    with qtbot.waitSignal(bar.undone, timeout=WAIT * 3):
        undo.trigger()
    assert get_policy(db).warm_silence_days == 7
    assert bar.undo_button.isHidden()
    qtbot.waitUntil(lambda: redo.isEnabled(), timeout=WAIT)
    with qtbot.waitSignal(bar.applied, timeout=WAIT * 3):
        redo.trigger()
    assert get_policy(db).warm_silence_days == 3
    assert bar.undo_button.isVisible()

    # The strip's Undo is the same step back: the stack moves with it.
    with qtbot.waitSignal(bar.undone, timeout=WAIT * 3):
        QTest.mouseClick(bar.undo_button, LEFT)
    assert get_policy(db).warm_silence_days == 7
    assert bar.undo_button.isHidden()
    qtbot.waitUntil(lambda: redo.isEnabled() and not undo.isEnabled(), timeout=WAIT)
    insights.close()


def test_the_weekly_review_is_exported_as_a_page_and_as_a_pdf(
    qtbot: QtBot, ops: Operations, db: Database, tmp_path: Path
) -> None:
    load_sample(db, utcnow())
    main = shown_window(qtbot, ops, (1400, 900))
    insights = opened(qtbot, main)
    assert insights.export_button.isVisible()
    page, pdf = tmp_path / "review.html", tmp_path / "review.pdf"
    for path in (page, pdf):
        with qtbot.waitSignal(insights.review.written, timeout=WAIT * 3):
            insights.review.export_to(path)
        assert insights.export_said.text() == f"Saved {path}"
    text = page.read_text(encoding="utf-8")
    assert all(spec.title in text for spec in REPORTS)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.rstrip().endswith(b"%%EOF")
    assert len(data) > 10_000
    with qtbot.waitSignal(insights.review.failed, timeout=WAIT * 3):
        insights.review.export_to(tmp_path / "no such folder" / "review.html")
    assert "does not exist" in insights.export_said.text()
    insights.close()


def test_a_retired_template_is_listed_and_brought_back_with_the_mouse(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    retire_template(db, "warm-silence-still-a-priority")
    main = shown_window(qtbot, ops, (1400, 900))
    insights = opened(qtbot, main)
    bar = insights.suggestions
    qtbot.waitUntil(lambda: "warm-silence-still-a-priority" in bar.retired, timeout=WAIT * 3)
    assert bar.isVisible()
    assert bar.retired_heading.isVisible()
    assert bar.heading.isHidden()  # nothing to suggest on an empty pipeline
    button = bar.retired["warm-silence-still-a-priority"]
    assert button.text() == "Bring back"

    QTest.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: not bar.retired, timeout=WAIT * 3)
    assert get_retired(db) == frozenset()
    assert bar.said.text() == (
        "Brought back “Warm lead gone quiet: still a priority?”: drafts offer it again."
    )
    assert bar.retired_heading.isHidden()
    insights.close()
