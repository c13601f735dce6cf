"""The weekly review page: self-contained, escaped, and saying the same numbers as the report."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from followthrough.domain.figures import Rate
from followthrough.domain.reportview import (
    Bar,
    Chart,
    ChartKind,
    Figure,
    ReportView,
    Row,
    Span,
    Table,
)
from followthrough.services.insights.html import report_html
from followthrough.services.insights.review import weekly_review_html
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.services.insights.test_week import a_week

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
HOSTILE = '<script>alert("x")</script>'


class PageReader(HTMLParser):
    """What a person sees on the page: figures, each data table's rows, and every tag."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.figures: list[tuple[str, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.headings: list[str] = []
        self.periods: list[str] = []
        self._text: list[str] | None = None
        self._capturing: str | None = None
        self._heading = ""
        self._rows: list[list[str]] | None = None
        self._value = ""
        self._in_body = False
        self.sections: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        kind = found.get("class") or ""
        if tag == "table" and kind == "data":
            self._rows = self.tables.setdefault(self._heading, [])
        elif tag == "tbody" and self._rows is not None:
            self._in_body = True
        elif tag == "tr" and self._rows is not None and self._in_body:
            self._rows.append([])
        if tag in ("h1", "h2", "h3", "td") or kind in ("figure-value", "figure-label", "period"):
            self._capturing, self._text = kind or tag, []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._rows, self._in_body = None, False
        if self._text is None:
            return
        text, what = "".join(self._text), self._capturing
        if what in ("h1", "h2", "h3") and tag == what:
            self._heading = text
            self.headings.append(text)
            if what == "h2":
                self.sections.append(text)
        elif what == "td" and tag == "td" and self._rows:
            self._rows[-1].append(text)
        elif what == "figure-value":
            self._value = text
        elif what == "figure-label":
            self.figures.append((text, self._value))
        elif what == "period":
            self.periods.append(text)
        else:
            return
        self._text = self._capturing = None


def a_view() -> ReportView:
    return ReportView(
        key="week",
        title="What moved this week",
        since=datetime(2026, 11, 16, 10, 0, tzinfo=UTC),
        until=NOW,
        figures=(
            Figure("Moved", 3, "changes of state"),
            Figure("Next steps kept", Rate(4, 6)),
            Figure(HOSTILE, 1),
        ),
        chart=Chart(
            "Movement by day",
            ChartKind.STRIP,
            ("Moved up", "Parked or lost"),
            (Bar("Mon 16", (2.0, 0.0), (1, 2)), Bar("Tue 17", (0.0, 1.0), (3,))),
        ),
        tables=(
            Table(
                "Moves",
                ("Lead", "From", "To", "How long before"),
                (
                    Row((HOSTILE, "Warm", "Hot", Span(6 * 3600)), (1,)),
                    Row(("Bruno & Co", "Recycle", "Warm", None), (2,)),
                ),
            ),
            Table("Reactivated", ("Lead",), (), "No lead came back from Recycle."),
        ),
        notes=("Stall points raised: 2.",),
    )


def test_the_page_shows_figures_and_rows_as_a_person_reads_them() -> None:
    page = PageReader(report_html([a_view()], NOW, PARIS))
    assert page.figures == [
        ("Moved", "3"),
        ("Next steps kept", "4 of 6 (67 %)"),
        (HOSTILE, "1"),
    ]
    assert page.tables == {
        "Moves": [[HOSTILE, "Warm", "Hot", "6 h"], ["Bruno & Co", "Recycle", "Warm", "—"]]
    }
    assert page.headings[0] == "What moved this week"
    assert page.sections == []  # one report: the page's heading is its own, not repeated
    assert "Movement by day" in page.headings
    assert "Reactivated" in page.headings


def test_the_page_fetches_nothing_and_runs_nothing() -> None:
    html = report_html([a_view()], NOW, PARIS)
    page = PageReader(html)
    names = [tag for tag, _ in page.tags]
    assert "script" not in names
    assert {"img", "link", "iframe", "object", "embed"}.isdisjoint(names)
    references = [
        value for _, attrs in page.tags for name, value in attrs.items() if name in ("src", "href")
    ]
    assert references == []
    assert "http" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "Bruno &amp; Co" in html


def test_the_chart_is_inline_svg_with_a_bar_and_a_value_for_each_figure() -> None:
    page = PageReader(report_html([a_view()], NOW, PARIS))
    names = [tag for tag, _ in page.tags]
    assert names.count("svg") == 1
    bars = [attrs for tag, attrs in page.tags if tag == "rect" and attrs.get("height") != "12"]
    assert len(bars) == 4  # two days × two series (legend squares are 12 high)
    heights = sorted(float(attrs["height"] or 0) for attrs in bars)
    assert heights[:2] == [0.0, 0.0]
    assert heights[3] == 2 * heights[2]  # two moves up on Monday, one parked on Tuesday


def test_the_print_variant_draws_bars_as_coloured_cells_not_svg() -> None:
    html = report_html([a_view()], NOW, PARIS, svg_charts=False)
    page = PageReader(html)
    assert "svg" not in [tag for tag, _ in page.tags]
    coloured = [attrs for tag, attrs in page.tags if tag == "td" and attrs.get("bgcolor")]
    assert [attrs["width"] for attrs in coloured] == ["100%", "50%"]
    assert page.figures[0] == ("Moved", "3")


def test_the_period_is_worded_in_the_readers_zone() -> None:
    paris = PageReader(report_html([a_view()], NOW, PARIS))
    new_york = PageReader(report_html([a_view()], NOW, NEW_YORK))
    assert paris.periods[0] == "Mon 16 Nov 2026 11:00 – Mon 23 Nov 2026 11:00"
    assert new_york.periods[0] == "Mon 16 Nov 2026 05:00 – Mon 23 Nov 2026 05:00"


def test_the_weekly_review_leads_with_the_week(db: Database) -> None:
    a_week(db)
    page = PageReader(weekly_review_html(db, NOW, PARIS))
    assert page.headings[0] == "Weekly review"
    assert page.sections[0] == "What moved this week"  # the week first, whatever follows
    assert page.figures[:3] == [("Moved", "5"), ("Won", "1"), ("Lost", "1")]
    assert page.tables["Won and lost"] == [
        ["Dmitri", "Won", "Fri 20 Nov 11:00", "Not recorded", "—"],
        ["Chloé", "Lost", "Sun 22 Nov 00:30", "Price", "Went with a cheaper tool"],
    ]
