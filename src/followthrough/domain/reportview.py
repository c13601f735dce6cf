"""The one shape every report takes on its way to a face.

A report service computes its typed figures, then lays them out as a `ReportView`: a few
headline figures, one chart, tables whose rows know the leads behind them. The Insights
window, the `report` command (text, JSON, CSV) and the weekly HTML all render this shape, so
no face computes a number another face could show differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from followthrough.domain.csvsafe import spreadsheet_text
from followthrough.domain.figures import Rate, duration_words


class ReportKey(StrEnum):
    """The reports there are: the `report` command's words, the Insights window's pages."""

    SILENCE = "silence"
    OUTCOMES = "outcomes"
    RESPONSE = "response"
    WEEK = "week"
    STALLS = "stalls"


@dataclass(frozen=True)
class Span:
    """A duration in seconds (None: nothing to measure), shown as `3.5 days`."""

    seconds: float | None


Cell = str | int | float | Rate | Span | None


def cell_text(cell: Cell) -> str:
    """How a cell reads to a person, in every face."""
    if cell is None:
        return "—"
    if isinstance(cell, Rate):
        return cell.words()
    if isinstance(cell, Span):
        return duration_words(cell.seconds)
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int):
        return f"{cell:,}"
    if isinstance(cell, float):
        return f"{cell:,.1f}"
    return cell


def cell_json(cell: Cell) -> Any:
    """How a cell reads to a program: counts and seconds as numbers, a rate with its count."""
    if isinstance(cell, Rate):
        return cell.to_json()
    if isinstance(cell, Span):
        return None if cell.seconds is None else round(cell.seconds)
    return cell


@dataclass(frozen=True)
class Figure:
    """A headline number, shown large."""

    label: str
    value: Cell
    hint: str = ""


class ChartKind(StrEnum):
    BARS = "bars"  # categories side by side (by stage, by touch number, by reason)
    DISTRIBUTION = "distribution"  # how many fall in each band of a duration
    STRIP = "strip"  # one bar per day of a week


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[float, ...]  # one per series of the chart
    lead_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Chart:
    title: str
    kind: ChartKind
    series: tuple[str, ...]
    bars: tuple[Bar, ...]
    unit: str = "leads"

    @property
    def empty(self) -> bool:
        return not any(value for bar in self.bars for value in bar.values)


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    lead_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    empty_text: str = "Nothing in this period."


@dataclass(frozen=True)
class ReportView:
    key: str  # the command's word: silence, outcomes, response, week, stalls
    title: str
    since: datetime
    until: datetime
    figures: tuple[Figure, ...]
    chart: Chart | None
    tables: tuple[Table, ...]
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "report": self.key,
            "title": self.title,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "figures": [
                {"label": f.label, "value": cell_json(f.value), "text": cell_text(f.value)}
                for f in self.figures
            ],
            "chart": None if self.chart is None else _chart_json(self.chart),
            "tables": [_table_json(t) for t in self.tables],
            "notes": list(self.notes),
        }

    def csv_rows(self) -> list[list[str]]:
        """Each table under its own header row `table, <its columns…>`; cells as people read
        them, never as a formula."""
        out: list[list[str]] = []
        for table in self.tables:
            out.append(["table", *table.columns])
            out.extend(
                [
                    spreadsheet_text(table.title),
                    *(spreadsheet_text(cell_text(c)) for c in row.cells),
                ]
                for row in table.rows
            )
        return out


def _chart_json(chart: Chart) -> dict[str, Any]:
    return {
        "title": chart.title,
        "kind": chart.kind.value,
        "unit": chart.unit,
        "series": list(chart.series),
        "bars": [{"label": b.label, "values": list(b.values)} for b in chart.bars],
    }


def _table_json(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "columns": list(table.columns),
        "rows": [
            {"cells": [cell_json(c) for c in row.cells], "leads": list(row.lead_ids)}
            for row in table.rows
        ],
    }


def ids(values: Sequence[int]) -> tuple[int, ...]:
    """Lead ids behind a row: each once, in first-seen order."""
    return tuple(dict.fromkeys(values))
