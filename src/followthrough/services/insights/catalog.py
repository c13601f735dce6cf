"""The reports there are, in the order the Insights window and `report --help` list them.

Each entry imports its module only when built: the CLI's other commands and the app's
start-up never load the reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from enum import StrEnum

from followthrough.domain.period import DEFAULT_DAYS, WEEK_DAYS, Period
from followthrough.domain.reportview import ReportView
from followthrough.errors import NotFound
from followthrough.store.db import Database

Build = Callable[[Database, Period, tzinfo], ReportView]


class ReportKey(StrEnum):
    SILENCE = "silence"
    OUTCOMES = "outcomes"
    RESPONSE = "response"
    WEEK = "week"
    STALLS = "stalls"


@dataclass(frozen=True)
class ReportSpec:
    key: ReportKey
    title: str  # the Insights window's page name
    summary: str  # one line: `report --help`, the page's subtitle
    default_days: int
    build: Build


def _build_week(db: Database, period: Period, zone: tzinfo) -> ReportView:
    from followthrough.services.insights.week import build_view

    return build_view(db, period, zone)


# Filled one entry per report module (a lazy import inside each `build`).
REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        ReportKey.WEEK,
        "What moved this week",
        "Momentum review: what moved, what preceded it, next steps kept, won and lost",
        WEEK_DAYS,
        _build_week,
    ),
)


def spec_of(key: ReportKey) -> ReportSpec:
    for spec in REPORTS:
        if spec.key is key:
            return spec
    raise NotFound(f"no report called {key}")


def build_report(db: Database, key: ReportKey, period: Period, zone: tzinfo) -> ReportView:
    return spec_of(key).build(db, period, zone)


__all__ = ["DEFAULT_DAYS", "REPORTS", "WEEK_DAYS", "ReportKey", "ReportSpec", "build_report"]
