"""The Insights chart, drawn to an image: not blank, in the palette's colours, changing with
its data, readable in a dark theme, and a click on a bar names that bar."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from followthrough.domain.reportview import Bar, Chart, ChartKind
from followthrough.ui.insights.charts import (
    ChartView,
    axis_top,
    nice_ceiling,
    series_colours,
    tick_count,
)
from followthrough.ui.theme import dark_palette

Role = QPalette.ColorRole
SIZE = (560, 260)

BY_STAGE = Chart(
    "Went quiet, by state",
    ChartKind.BARS,
    ("Quiet", "Re-engaged"),
    (
        Bar("New", (4.0, 1.0), (1, 2, 3, 4)),
        Bar("Warm", (9.0, 3.0), (5, 6)),
        Bar("Hot", (2.0, 2.0), (7,)),
        Bar("Proposal", (0.0, 0.0)),
    ),
)


def drawn(qtbot: QtBot, chart: Chart | None, palette: QPalette | None = None) -> QImage:
    view = shown_chart(qtbot, chart, palette)
    return view.grab().toImage()


def shown_chart(qtbot: QtBot, chart: Chart | None, palette: QPalette | None = None) -> ChartView:
    view = ChartView()
    qtbot.addWidget(view)
    if palette is not None:
        view.setPalette(palette)
    view.resize(*SIZE)
    view.set_chart(chart)
    view.show()
    qtbot.waitExposed(view)
    return view


def colours(image: QImage) -> Counter[int]:
    """How many pixels have each colour (as 0xRRGGBB), sampled every other pixel."""
    counts: Counter[int] = Counter()
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            counts[image.pixel(x, y) & 0xFFFFFF] += 1
    return counts


def near(counts: Counter[int], colour: QColor, tolerance: int = 6) -> int:
    """Pixels within `tolerance` of `colour` on every channel."""
    r, g, b = colour.red(), colour.green(), colour.blue()
    return sum(
        n
        for rgb, n in counts.items()
        if abs((rgb >> 16) - r) <= tolerance
        and abs((rgb >> 8 & 0xFF) - g) <= tolerance
        and abs((rgb & 0xFF) - b) <= tolerance
    )


def test_a_bar_chart_is_drawn_in_the_series_colours(qtbot: QtBot) -> None:
    view = shown_chart(qtbot, BY_STAGE)
    counts = colours(view.grab().toImage())
    assert len(counts) >= 6  # background, grid, text, two series, their anti-aliased edges
    first, second = series_colours(view.palette(), 2)
    assert first.rgb() == view.palette().color(Role.Highlight).rgb()
    assert near(counts, first) > 200  # the tall Warm bar alone is ~30 × 150 px, sampled 1/4
    assert near(counts, second) > 50
    assert near(counts, view.palette().color(Role.Base)) > len(counts)  # the background


def test_the_image_changes_with_the_data(qtbot: QtBot) -> None:
    before = drawn(qtbot, BY_STAGE)
    more = Chart(BY_STAGE.title, BY_STAGE.kind, BY_STAGE.series,
                 (*BY_STAGE.bars[:3], Bar("Proposal", (6.0, 0.0))))  # fmt: skip
    after = drawn(qtbot, more)
    assert before != after
    assert drawn(qtbot, BY_STAGE) == before  # the same data draws the same image


def test_each_kind_is_drawn_and_an_empty_chart_says_so(qtbot: QtBot) -> None:
    strip = Chart(
        "The week",
        ChartKind.STRIP,
        ("Moved on", "Went quiet"),
        tuple(Bar(day, (float(n), 1.0)) for n, day in enumerate(("Mon", "Tue", "Wed"))),
    )
    bands = Chart("Our reply time", ChartKind.DISTRIBUTION, ("Replies",),
                  (Bar("< 1 h", (3.0,)), Bar("1–4 h", (7.0,)), Bar("> 1 day", (1.0,))))  # fmt: skip
    for chart in (strip, bands):
        view = shown_chart(qtbot, chart)
        counts = colours(view.grab().toImage())
        assert near(counts, series_colours(view.palette(), 1)[0]) > 100, chart.kind
    empty = shown_chart(qtbot, Chart("Nothing", ChartKind.BARS, ("Quiet",), (Bar("New", (0.0,)),)))
    assert empty.accessibleDescription() == "Nothing in this period"
    counts = colours(empty.grab().toImage())
    assert near(counts, series_colours(empty.palette(), 1)[0]) == 0  # no bar drawn


def test_a_dark_palette_draws_light_text_and_bars_on_a_dark_ground(qtbot: QtBot) -> None:
    dark = dark_palette()
    image = drawn(qtbot, BY_STAGE, dark)
    counts = colours(image)
    ground = dark.color(Role.Base)
    assert counts.most_common(1)[0][0] == ground.rgb() & 0xFFFFFF  # the background is dark
    bars = series_colours(dark, 2)
    assert near(counts, bars[0]) > 200
    assert abs(bars[0].lightness() - ground.lightness()) > 60  # the bars stand out
    light_text = sum(n for rgb, n in counts.items() if QColor(rgb).lightness() > 170)
    assert light_text > 20  # titles, values and labels in the palette's light text colour
    assert image != drawn(qtbot, BY_STAGE)  # the light theme draws another image


def test_a_palette_change_repaints(qtbot: QtBot) -> None:
    view = shown_chart(qtbot, BY_STAGE)
    light = view.grab().toImage()
    view.setPalette(dark_palette())
    assert view.grab().toImage() != light


def test_bar_at_finds_the_bar_under_the_pointer_and_a_click_emits_it(qtbot: QtBot) -> None:
    view = shown_chart(qtbot, BY_STAGE)
    slots = view.slots()
    assert [slot.bar.label for slot in slots] == ["New", "Warm", "Hot", "Proposal"]
    warm = slots[1].area.center().toPoint()
    assert view.bar_at(warm) is BY_STAGE.bars[1]
    assert view.bar_at(QPoint(2, 2)) is None  # the corner, outside every column
    with qtbot.waitSignal(view.bar_clicked, timeout=2000) as clicked:
        QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=warm)
    assert clicked.args == [BY_STAGE.bars[1]]
    # A bar with no leads behind it is not a link.
    with qtbot.assertNotEmitted(view.bar_clicked):
        QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=slots[3].area.center().toPoint())


def test_the_value_axis_ends_on_a_round_number() -> None:
    assert [nice_ceiling(v) for v in (0, 0.4, 1, 3, 7, 9, 12, 26, 140)] == [
        1, 0.5, 1, 5, 10, 10, 20, 50, 200,
    ]  # fmt: skip


def test_the_axis_of_counts_steps_by_whole_numbers() -> None:
    assert [(axis_top([v]), tick_count(axis_top([v]))) for v in (1, 4, 9, 12, 23, 140)] == [
        (5, 5), (5, 5), (10, 5), (20, 4), (25, 5), (200, 4),
    ]  # fmt: skip
    assert axis_top([0.3, 1.5]) == 2  # shares or hours: the axis fits them closely
