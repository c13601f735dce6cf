"""The reports there are, in the order the Insights window and `report --help` list them.

Each entry imports its module only when built: the CLI's other commands and the app's
start-up never load the reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from followthrough.domain.period import DEFAULT_DAYS, WEEK_DAYS, Period
from followthrough.domain.reportview import ReportKey, ReportView
from followthrough.errors import NotFound
from followthrough.store.db import Database

Build = Callable[[Database, Period, tzinfo], ReportView]


@dataclass(frozen=True)
class ReportSpec:
    key: ReportKey
    title: str  # the Insights window's page name
    summary: str  # one line: `report --help`, the page's subtitle
    default_days: int
    build: Build


def _silence(db: Database, period: Period, zone: tzinfo) -> ReportView:
    from followthrough.services.insights import silence

    return silence.build_view(db, period, zone)


def _outcomes(db: Database, period: Period, zone: tzinfo) -> ReportView:
    from followthrough.services.insights import outcomes

    return outcomes.build_view(db, period, zone)


def _response(db: Database, period: Period, zone: tzinfo) -> ReportView:
    from followthrough.services.insights import response

    return response.build_view(db, period, zone)


def _week(db: Database, period: Period, zone: tzinfo) -> ReportView:
    from followthrough.services.insights import week

    return week.build_view(db, period, zone)


def _stalls(db: Database, period: Period, zone: tzinfo) -> ReportView:
    from followthrough.services.insights import stalls

    return stalls.build_view(db, period, zone)


# One entry per report module (a lazy import inside each `build`), in the order shown.
REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        ReportKey.SILENCE,
        "Where silence happens",
        "Leads that went quiet, by state, last touch, touch number and decision asked",
        DEFAULT_DAYS,
        _silence,
    ),
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
    ReportSpec(
        ReportKey.WEEK,
        "What moved this week",
        "Momentum review: what moved, what preceded it, next steps kept, won and lost",
        WEEK_DAYS,
        _week,
    ),
    ReportSpec(
        ReportKey.STALLS,
        "Stall audit",
        "Leads lost or recycled, by reason, timing beside fit, and where they stalled",
        90,
        _stalls,
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
