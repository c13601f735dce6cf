"""The one report shape: how cells read to people, to programs and in a spreadsheet."""

from __future__ import annotations

from datetime import UTC, datetime

from followthrough.domain.figures import Rate
from followthrough.domain.reasons import ReasonCategory, default_reason, parse_reason_category
from followthrough.domain.reportview import (
    Bar,
    Chart,
    ChartKind,
    Figure,
    ReportView,
    Row,
    Span,
    Table,
    cell_text,
    ids,
)
from followthrough.domain.states import State

SINCE = datetime(2026, 10, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)


def view() -> ReportView:
    return ReportView(
        key="silence",
        title="Where silence happens",
        since=SINCE,
        until=UNTIL,
        figures=(Figure("Re-engaged", Rate(3, 6)), Figure("Median", Span(2 * 86400))),
        chart=Chart("Quiet", ChartKind.BARS, ("1st",), (Bar("first contact", (4.0,), (7, 8)),)),
        tables=(Table("By state", ("State", "Went quiet"), (Row(("=HYPERLINK(1)", 1200), (7,)),)),),
    )


def test_cells_read_the_same_in_every_face() -> None:
    assert [cell_text(c) for c in (None, 1200, 2.25, "Hot", Rate(1, 2), Span(3600))] == [
        "—", "1,200", "2.2", "Hot", "1 of 2 (too few to rate)", "1 h",
    ]  # fmt: skip


def test_json_keeps_numbers_as_numbers_and_rates_with_their_counts() -> None:
    data = view().to_json()
    assert data["figures"] == [
        {"label": "Re-engaged", "value": {"hits": 3, "cases": 6, "rate": 0.5}, "text": "3 of 6 (50 %)"},
        {"label": "Median", "value": 172800, "text": "2 days"},
    ]  # fmt: skip
    assert data["chart"]["bars"] == [{"label": "first contact", "values": [4.0]}]
    assert data["tables"][0]["rows"] == [{"cells": ["=HYPERLINK(1)", 1200], "leads": [7]}]
    assert data["since"] == "2026-10-01T00:00:00+00:00"


def test_csv_never_hands_a_spreadsheet_a_formula() -> None:
    assert view().csv_rows() == [
        ["table", "State", "Went quiet"],
        ["By state", "'=HYPERLINK(1)", "1,200"],
    ]


def test_an_empty_chart_says_so_and_lead_ids_are_listed_once() -> None:
    assert Chart("c", ChartKind.STRIP, ("a",), (Bar("Mon", (0.0,)),)).empty
    assert ids([3, 1, 3, 2, 1]) == (3, 1, 2)


def test_the_reason_offered_first_fits_the_move() -> None:
    assert default_reason(State.RECYCLE, 0, 3) is ReasonCategory.TIMING
    assert default_reason(State.LOST, 1, 3) is ReasonCategory.NO_DECISION
    assert default_reason(State.LOST, 3, 3) is ReasonCategory.WENT_SILENT
    assert parse_reason_category("No decision") is ReasonCategory.NO_DECISION
    assert ReasonCategory.WENT_SILENT.label == "Went silent"
