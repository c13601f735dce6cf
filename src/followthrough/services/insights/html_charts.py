"""A report's chart as markup: inline SVG bars for a browser, table-cell bars for Qt's printer.

Both draw the same numbers from the `Chart` (domain/reportview.py): one group per bar
(category, band or day), one bar per series, each labelled with its value so the page still
reads in black and white. The table form exists because QTextDocument, which writes the PDF
(ui/insights/pdf.py), draws no SVG; cell widths and background colours it does draw.
"""

from __future__ import annotations

from html import escape

from followthrough.domain.reportview import Chart

# Mid tones that print on white and stay apart in greyscale (Tableau 10, first three lightened).
PALETTE = ("#5b8cc4", "#f2a35e", "#6cb26a", "#e4787a", "#86c1bc", "#e9cf5f")

WIDTH = 720
HEIGHT = 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 36, 8, 34, 30


def colour(series: int) -> str:
    return PALETTE[series % len(PALETTE)]


def _number(value: float) -> str:
    return f"{value:g}"


def _top(chart: Chart) -> float:
    highest = max((v for bar in chart.bars for v in bar.values), default=0.0)
    return highest if highest > 0 else 1.0


def chart_svg(chart: Chart) -> str:
    """The chart as an inline <svg>: no external reference, no script, its own title."""
    top = _top(chart)
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM
    groups = max(1, len(chart.bars))
    group_w = plot_w / groups
    series = max(1, len(chart.series))
    bar_w = group_w * 0.8 / series
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
        _legend_svg(chart),
        # The baseline and the highest value on the axis: enough scale to read the bars.
        f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{WIDTH - _RIGHT}" y2="{_TOP + plot_h}" '
        'stroke="#888" stroke-width="1"/>',
        f'<text x="{_LEFT - 4}" y="{_TOP + 4}" text-anchor="end" class="axis">'
        f"{escape(_number(top))}</text>",
        f'<text x="{_LEFT - 4}" y="{_TOP + plot_h}" text-anchor="end" class="axis">0</text>',
    ]
    for g, bar in enumerate(chart.bars):
        x0 = _LEFT + g * group_w + group_w * 0.1
        for s, value in enumerate(bar.values):
            height = plot_h * value / top
            x = x0 + s * bar_w
            y = _TOP + plot_h - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.92:.1f}" '
                f'height="{height:.1f}" fill="{colour(s)}"/>'
            )
            if value:
                parts.append(
                    f'<text x="{x + bar_w * 0.46:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                    f'class="value">{escape(_number(value))}</text>'
                )
        parts.append(
            f'<text x="{_LEFT + (g + 0.5) * group_w:.1f}" y="{HEIGHT - 10}" '
            f'text-anchor="middle" class="label">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _legend_svg(chart: Chart) -> str:
    items = []
    x = _LEFT
    for s, name in enumerate(chart.series):
        items.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour(s)}"/>')
        items.append(f'<text x="{x + 16}" y="18" class="legend">{escape(name)}</text>')
        x += 28 + 7 * len(name)
    return "".join(items)


def chart_table(chart: Chart) -> str:
    """The chart as a table of bars, for a renderer without SVG (Qt's rich text).

    One row per bar; each series a cell holding a coloured cell as wide as its share of the
    largest value, and the value beside it.
    """
    top = _top(chart)
    head = "".join(
        f'<th><font color="{colour(s)}">&#9632;</font> {escape(name)}</th>'
        for s, name in enumerate(chart.series)
    )
    rows = []
    for bar in chart.bars:
        cells = []
        for s, value in enumerate(bar.values):
            share = round(100 * value / top)
            filled = f'<td width="{share}%" bgcolor="{colour(s)}">&nbsp;</td>' if share > 0 else ""
            cells.append(
                '<td class="barcell"><table class="bar" width="100%" cellspacing="0" '
                f'cellpadding="0"><tr>{filled}<td>&nbsp;{escape(_number(value))}</td></tr>'
                "</table></td>"
            )
        rows.append(f"<tr><td>{escape(bar.label)}</td>{''.join(cells)}</tr>")
    return (
        f'<table class="chart-table" width="100%" cellspacing="0" cellpadding="3">'
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
