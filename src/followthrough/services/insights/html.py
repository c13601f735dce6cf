"""Any report, or several, as one self-contained HTML page: the weekly review to keep or send.

The page carries everything it shows: inline CSS, charts as inline SVG, no script, no image,
no link to fetch, so it opens the same offline, in a mail attachment or years later. Every
text that came from the data (a lead's name, a next step, a reason) is escaped: a lead
called `<script>` reads as those eight characters. Colours are light and every bar carries
its value, so a printout in black and white still says everything.

With `svg_charts=False` the charts become table-cell bars: Qt's QTextDocument, which turns
this page into the PDF (ui/insights/pdf.py), draws tables and cell colours but no SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from html import escape

from followthrough.domain.dates import day_and_clock
from followthrough.domain.reportview import Chart, Figure, ReportView, Table, cell_text
from followthrough.services.insights.html_charts import chart_svg, chart_table

REVIEW_TITLE = "Weekly review"

STYLE = """
body { font-family: "Helvetica Neue", Arial, sans-serif; color: #222; background: #fff;
       margin: 2em auto; max-width: 60em; line-height: 1.4; }
h1 { font-size: 20pt; margin: 0 0 0.2em 0; }
h2 { font-size: 16pt; margin: 1.6em 0 0.2em 0; border-bottom: 1px solid #ccc; }
h3 { font-size: 12pt; margin: 1.2em 0 0.3em 0; }
.period, .generated, .hint { color: #666; }
.figures { margin: 0.8em 0; border-collapse: separate; border-spacing: 0.6em 0; }
.figure { background: #f4f6f8; padding: 0.5em 1em; vertical-align: top; }
.figure-value { font-size: 22pt; font-weight: bold; }
.figure-label { font-weight: bold; }
.hint { font-size: 0.85em; }
table.data { border-collapse: collapse; width: 100%; margin: 0.3em 0; }
table.data th, table.data td { border-bottom: 1px solid #ddd; padding: 0.25em 0.5em;
                               text-align: left; vertical-align: top; }
table.data th { background: #f4f6f8; }
.empty { color: #666; font-style: italic; }
svg.chart { max-width: 100%; height: auto; }
svg.chart text { font-family: inherit; fill: #333; font-size: 12px; }
.notes { color: #444; }
@media print { body { margin: 0; max-width: none; } section { page-break-inside: avoid; } }
"""


def period_words(since: datetime, until: datetime, zone: tzinfo) -> str:
    """'Mon 23 Nov 2026 11:00 – Mon 30 Nov 2026 11:00' in the reader's zone."""
    return f"{day_and_clock(since, zone, year=True)} – {day_and_clock(until, zone, year=True)}"


def report_html(
    views: Sequence[ReportView],
    generated: datetime,
    zone: tzinfo,
    *,
    svg_charts: bool = True,
    title: str | None = None,
) -> str:
    """One page: a heading with the (first) report's period, then each report in turn.

    The heading is `title`, by default the report's own when there is one (its section then
    goes without repeating it), else REVIEW_TITLE.
    """
    single = len(views) == 1 and title is None
    heading = views[0].title if single else title or REVIEW_TITLE
    period = period_words(views[0].since, views[0].until, zone) if views else ""
    body = "\n".join(_section(view, zone, svg_charts, headed=not single) for view in views)
    made = day_and_clock(generated, zone, year=True)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(heading)} — {escape(period)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{escape(heading)}</h1>\n"
        f'<p class="period">{escape(period)}</p>\n'
        f'<p class="generated">Made by Followthrough on {escape(made)}'
        "</p>\n</header>\n"
        f"{body}\n</body>\n</html>\n"
    )


def _section(view: ReportView, zone: tzinfo, svg_charts: bool, *, headed: bool) -> str:
    parts = [f'<section class="report" id="{escape(view.key)}">']
    if headed:
        parts.append(f"<h2>{escape(view.title)}</h2>")
        parts.append(f'<p class="period">{escape(period_words(view.since, view.until, zone))}</p>')
    parts.append(_figures(view.figures))
    if view.chart is not None:
        parts.append(_chart(view.chart, svg_charts))
    parts.extend(_table(table) for table in view.tables)
    if view.notes:
        notes = "".join(f"<li>{escape(note)}</li>" for note in view.notes)
        parts.append(f'<ul class="notes">{notes}</ul>')
    parts.append("</section>")
    return "\n".join(parts)


def _figures(figures: Sequence[Figure]) -> str:
    if not figures:
        return ""
    # A one-row table rather than flex boxes: QTextDocument lays out tables, not flex.
    cells = "".join(
        '<td class="figure">'
        f'<div class="figure-value">{escape(cell_text(f.value))}</div>'
        f'<div class="figure-label">{escape(f.label)}</div>'
        + (f'<div class="hint">{escape(f.hint)}</div>' if f.hint else "")
        + "</td>"
        for f in figures
    )
    return f'<table class="figures" cellspacing="8" cellpadding="6"><tr>{cells}</tr></table>'


def _chart(chart: Chart, svg_charts: bool) -> str:
    if chart.empty:
        return f'<h3>{escape(chart.title)}</h3>\n<p class="empty">Nothing to draw.</p>'
    drawn = chart_svg(chart) if svg_charts else chart_table(chart)
    return f"<h3>{escape(chart.title)}</h3>\n<figure>{drawn}</figure>"


def _table(table: Table) -> str:
    heading = f"<h3>{escape(table.title)}</h3>"
    if not table.rows:
        return f'{heading}\n<p class="empty">{escape(table.empty_text)}</p>'
    head = "".join(f"<th>{escape(column)}</th>" for column in table.columns)
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{escape(cell_text(cell))}</td>" for cell in row.cells) + "</tr>"
        for row in table.rows
    )
    return (
        f"{heading}\n"
        '<table class="data" width="100%" cellspacing="0" cellpadding="4">'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>"
    )
