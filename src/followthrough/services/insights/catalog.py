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


def _outcomes(db: Database, period: Period, zone: tzinfo) -> ReportView:
    from followthrough.services.insights import outcomes

    return outcomes.build_view(db, period, zone)


def _response(db: Database, period: Period, zone: tzinfo) -> ReportView:
    from followthrough.services.insights import response

    return response.build_view(db, period, zone)


# Filled one entry per report module (a lazy import inside each `build`).
REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        ReportKey.OUTCOMES,
        "What works",
        "Per rule, template and intent: what was acted on and how often the buyer answered",
        DEFAULT_DAYS,
        _outcomes,
    ),
    ReportSpec(
        ReportKey.RESPONSE,
        "Response time",
        "How fast we answer buyers who reply, and how fast buyers answer us, per state",
        DEFAULT_DAYS,
        _response,
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
