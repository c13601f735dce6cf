"""The weekly review printed to PDF by Qt: a real file, which grows with what it says."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from followthrough.domain.reportview import Row
from followthrough.services.insights.html import report_html
from followthrough.services.insights.review import weekly_review_html
from followthrough.store.db import Database
from followthrough.ui.insights.pdf import write_pdf
from tests.conftest import NOW
from tests.services.insights.test_html import a_view
from tests.services.insights.test_week import a_week

PARIS = ZoneInfo("Europe/Paris")


def test_the_review_prints_to_a_pdf(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    a_week(db)
    path = tmp_path / "review.pdf"
    write_pdf(weekly_review_html(db, NOW, PARIS, svg_charts=False), path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")  # finished, not left for a later collection
    assert len(data) > 10_000  # fonts and a page of tables, not an empty page


def test_more_rows_make_a_bigger_file(qtbot: QtBot, tmp_path: Path) -> None:
    view = a_view()
    moves = view.tables[0]
    longer = replace(
        view,
        tables=(
            replace(
                moves,
                rows=moves.rows
                + tuple(Row((f"Lead {n}", "Warm", "Hot", None)) for n in range(120)),
            ),
            *view.tables[1:],
        ),
    )
    short, long = tmp_path / "short.pdf", tmp_path / "long.pdf"
    write_pdf(report_html([view], NOW, PARIS, svg_charts=False), short)
    write_pdf(report_html([longer], NOW, PARIS, svg_charts=False), long)
    assert short.read_bytes().startswith(b"%PDF-")
    assert long.stat().st_size > short.stat().st_size + 2_000
    assert long.read_bytes().count(b"/Type /Page\n") > short.read_bytes().count(b"/Type /Page\n")


def test_a_second_print_overwrites_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "review.pdf"
    path.write_bytes(b"an older file, much longer than nothing " * 10_000)
    write_pdf(report_html([a_view()], NOW, PARIS, svg_charts=False), path)
    assert path.read_bytes().startswith(b"%PDF-")
