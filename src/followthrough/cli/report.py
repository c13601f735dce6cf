"""`followthrough report silence|outcomes|response|week|stalls`: the Insights reports.

The numbers come from the same services the Insights window shows (services/insights/), laid
out as one `ReportView`; this module only prints it: aligned text, --json or --csv.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase, add_command
from followthrough.domain.reportview import ReportKey
from followthrough.errors import FieldError, InvalidData, UsageError

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.domain.period import Period
    from followthrough.domain.reportview import Chart, ReportView
    from followthrough.store.db import Database

# The names `report` takes, in the order --help lists them.
REPORT_NAMES = tuple(key.value for key in ReportKey)
BAR_WIDTH = 30  # columns for the longest bar of a chart drawn in text


def prepare_report(args: argparse.Namespace, now: datetime) -> Period:
    from followthrough.domain.period import Period, parse_since
    from followthrough.services.clock import local_zone
    from followthrough.services.insights.catalog import spec_of

    if sum(map(bool, (args.json, args.csv, args.html))) > 1:
        raise UsageError("choose one of --json, --csv and --html")
    if args.since is None:
        return Period.last(spec_of(ReportKey(args.report)).default_days, now)
    try:
        return parse_since(args.since, now, local_zone())
    except FieldError:
        raise  # already names the field, which the CLI words as --since
    except InvalidData as exc:
        raise InvalidData(f"--since: {exc}", exc.field) from None


def run_report(db: Database, args: argparse.Namespace, period: Period, now: datetime) -> int:
    from followthrough.services.clock import local_zone
    from followthrough.services.insights.catalog import build_report

    if args.html is not None:
        return _write_html(db, args, period, now)
    view = build_report(db, ReportKey(args.report), period, local_zone())
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows(view.csv_rows())
        return 0
    return output.emit(args, view.to_json(), report_text(view))


def _write_html(db: Database, args: argparse.Namespace, period: Period, now: datetime) -> int:
    """`--html FILE`: the weekly review (every report) for `week`, else the one report."""
    from followthrough.services.clock import local_zone
    from followthrough.services.export import write_private_text
    from followthrough.services.insights.catalog import build_report
    from followthrough.services.insights.html import report_html
    from followthrough.services.insights.review import export_weekly_review

    out, zone = Path(args.html), local_zone()
    if args.report == ReportKey.WEEK and args.since is None:
        export_weekly_review(db, out, now, zone, overwrite=args.overwrite)
    else:
        view = build_report(db, ReportKey(args.report), period, zone)
        write_private_text(out, report_html([view], now, zone), overwrite=args.overwrite)
    return output.say(args, {"written": str(out)}, f"Wrote {out}.")


def report_text(view: ReportView) -> str:
    """The report for a person at a terminal: figures, the chart as bars, the tables."""
    from followthrough.domain.reportview import cell_text

    since, until = output.when_text(view.since), output.when_text(view.until)
    lines = [f"{view.title}: {since} to {until}", ""]
    width = max((len(f.label) for f in view.figures), default=0)
    lines += [f"  {f.label:<{width}}  {cell_text(f.value)}" for f in view.figures]
    if view.chart is not None and not view.chart.empty:
        lines += ["", *chart_lines(view.chart)]
    for table in view.tables:
        lines += ["", table.title]
        if not table.rows:
            lines.append(f"  {table.empty_text}")
            continue
        rows = [[cell_text(cell) for cell in row.cells] for row in table.rows]
        header = [column.upper() for column in table.columns]
        aligned = output.aligned(header, rows)
        lines += ["  " + line for line in aligned.splitlines()]
    lines += ["", *view.notes] if view.notes else []
    return "\n".join(lines)


def chart_lines(chart: Chart) -> list[str]:
    """Each bar as a row of blocks, one row per series, scaled to the largest value."""
    top = max((value for bar in chart.bars for value in bar.values), default=0) or 1
    label_width = max(len(bar.label) for bar in chart.bars)
    series_width = max(len(name) for name in chart.series) if len(chart.series) > 1 else 0
    lines = [chart.title]
    for bar in chart.bars:
        for index, (name, value) in enumerate(zip(chart.series, bar.values, strict=True)):
            label = bar.label if index == 0 else ""
            named = f"{name:<{series_width}}  " if series_width else ""
            blocks = "█" * round(BAR_WIDTH * value / top)
            lines.append(f"  {label:<{label_width}}  {named}{blocks} {value:g}".rstrip())
    return lines


def declare(sub: Subcommands) -> None:
    p = add_command(
        sub,
        "report",
        "what the follow-up teaches: where silence happens, what works, response times, "
        "what moved this week, why deals stalled",
        UsesDatabase(run_report, prepare_report, reads=True),
    )
    p.add_argument("report", choices=REPORT_NAMES, metavar="|".join(REPORT_NAMES))
    p.add_argument(
        "--since",
        metavar="WHEN",
        help="the start of the period: a date, 30d, 8w, 3mo (default: the report's own, "
        "60 days; 7 for week, 90 for stalls)",
    )
    p.add_argument("--csv", action="store_true", help="print the tables as CSV")
    p.add_argument(
        "--html",
        metavar="FILE",
        help="write a self-contained HTML page instead (for week: the whole weekly review)",
    )
    p.add_argument("--overwrite", action="store_true", help="with --html: replace FILE")
