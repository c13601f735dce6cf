"""The weekly review: the week's report, then every other report, on one page to keep.

For a founder who reviews on Fridays: the momentum review over its own week, followed by the
other reports in the catalog's order, each over its own default period ending now. The page
is HTML (services/insights/html.py); the CLI writes it as it is, the window also prints it
to PDF through Qt (ui/insights/pdf.py), which the services must not import.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from followthrough.domain.period import WEEK_DAYS, Period
from followthrough.domain.reportview import ReportView
from followthrough.services.export import write_private_text
from followthrough.services.insights import catalog, week
from followthrough.services.insights.html import REVIEW_TITLE, report_html
from followthrough.store.db import Database


def weekly_review_views(db: Database, now: datetime, zone: tzinfo) -> tuple[ReportView, ...]:
    """The week first, then the catalog's other reports, as it lists them at call time."""
    views = [week.build_view(db, Period.last(WEEK_DAYS, now), zone)]
    views.extend(
        spec.build(db, Period.last(spec.default_days, now), zone)
        for spec in catalog.REPORTS
        if spec.key is not catalog.ReportKey.WEEK
    )
    return tuple(views)


def weekly_review_html(
    db: Database, now: datetime, zone: tzinfo, *, svg_charts: bool = True
) -> str:
    """The review as one self-contained page; `svg_charts=False` for Qt's PDF writer, which
    draws no SVG (the bars become table cells)."""
    views = weekly_review_views(db, now, zone)
    return report_html(views, now, zone, svg_charts=svg_charts, title=REVIEW_TITLE)


def export_weekly_review(
    db: Database, out: Path, now: datetime, zone: tzinfo, *, overwrite: bool = False
) -> Path:
    """The review written to `out` as one self-contained HTML file (private, whole or not)."""
    return write_private_text(out, weekly_review_html(db, now, zone), overwrite=overwrite)
