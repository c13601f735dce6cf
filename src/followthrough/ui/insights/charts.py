"""The one chart a report page shows, drawn with QPainter from a `reportview.Chart`.

Three kinds, one layout: a slot per bar label along the bottom, a value axis on the left, a
legend beside the title. BARS puts one bar per series side by side in each slot;
DISTRIBUTION draws its ordered bands as near-touching bars, so the shape reads as a
histogram; STRIP stacks the series of each day into one bar. Every colour comes from the
palette (the first series is the highlight, the others the highlight turned round the colour
wheel), so the chart follows a light or dark theme and repaints when the palette changes.

A click on a slot whose bar knows its leads emits `bar_clicked`; `bar_at` is the hit test.
Plain QPainter rather than a charting library: three simple kinds do not justify the size a
library adds to the bundle, nor its import time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QToolTip, QWidget

from followthrough.domain.reportview import Bar, Chart, ChartKind
from followthrough.ui.board.style import mix, secondary_text

Role = QPalette.ColorRole
EMPTY_TEXT = "Nothing in this period"
PAD = 10  # around the plot, inside the widget
COUNTS_TOP = 5  # the least axis top for whole counts: lines at 1, 2, 3…, not 0.2, 0.4…
# Turns of the colour wheel from the highlight, per series: far apart first.
HUE_TURNS = (0, 150, 40, 260, 90, 310)


@dataclass(frozen=True)
class Slot:
    """Where one bar label's bars stand: its whole column (for clicks) and each bar."""

    bar: Bar
    area: QRectF  # the label's column, plot and label together
    rects: tuple[QRectF, ...]  # one per series (stacked for a strip)


def series_colours(palette: QPalette, count: int) -> list[QColor]:
    """One colour per series: the highlight, then the same tone at other hues."""
    highlight = palette.color(Role.Highlight)
    base = highlight.toHsl()
    hue = max(base.hslHue(), 0)
    colours = [highlight][:count]
    for index in range(1, count):
        turn = HUE_TURNS[index % len(HUE_TURNS)] + 17 * (index // len(HUE_TURNS))
        colours.append(
            QColor.fromHsl((hue + turn) % 360, max(base.hslSaturation(), 120), base.lightness())
        )
    return colours


def nice_ceiling(value: float) -> float:
    """The axis top: the least of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return float(step * power)
    return float(10 * power)


def axis_top(values: list[float]) -> float:
    top = nice_ceiling(max(values, default=0.0))
    if all(float(value).is_integer() for value in values):
        top = max(top, COUNTS_TOP)
    return top


def tick_count(top: float) -> int:
    """Lines over the plot (0 excluded): as many as make each step 1, 2 or 5 × 10ⁿ."""
    for count in (5, 4, 2):
        step = top / count
        mantissa = step / 10 ** math.floor(math.log10(step))
        if any(abs(mantissa - round_step) < 1e-9 for round_step in (1, 2, 5)):
            return count
    return 4


def number_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class ChartView(QWidget):
    bar_clicked = Signal(object)  # the Bar clicked (it carries lead ids)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: Chart | None = None
        self.setMouseTracking(True)  # the pointing hand over bars that lead somewhere
        self.setAccessibleName("Chart")

    def set_chart(self, chart: Chart | None) -> None:
        self.chart = chart
        self.setAccessibleDescription(_described(chart))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(560, 260)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 200)

    # --- geometry ----------------------------------------------------------------------------

    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _small_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
        return font

    def _top(self) -> float:
        """The value axis's top: above the largest bar, or a day's stack on a strip."""
        chart = self.chart
        if chart is None or not chart.bars:
            return axis_top([])
        if chart.kind is ChartKind.STRIP:
            return axis_top([sum(bar.values) for bar in chart.bars])
        return axis_top([value for bar in chart.bars for value in bar.values])

    def plot_rect(self) -> QRectF:
        """The area the bars grow in: below title and legend, right of the value axis."""
        small = QFontMetrics(self._small_font())
        title_height = QFontMetrics(self._title_font()).height()
        axis_width = small.horizontalAdvance(number_text(self._top())) + 8
        top = PAD + title_height + 6 + small.height()  # the value over the tallest bar
        bottom = self.height() - PAD - small.height() - 4
        return QRectF(PAD + axis_width, top, self.width() - 2 * PAD - axis_width, bottom - top)

    def slots(self) -> list[Slot]:
        chart = self.chart
        if chart is None or not chart.bars:
            return []
        plot = self.plot_rect()
        scale = plot.height() / self._top()
        width = plot.width() / len(chart.bars)
        gap = {ChartKind.DISTRIBUTION: 0.06, ChartKind.STRIP: 0.2}.get(chart.kind, 0.22)
        inner = width * (1 - 2 * gap)
        result = []
        for index, bar in enumerate(chart.bars):
            left = plot.left() + index * width
            area = QRectF(left, plot.top(), width, self.height() - PAD - plot.top())
            rects: list[QRectF] = []
            if chart.kind is ChartKind.STRIP:
                base = plot.bottom()
                for value in bar.values:
                    height = value * scale
                    rects.append(QRectF(left + width * gap, base - height, inner, height))
                    base -= height
            else:
                each = inner / max(len(bar.values), 1)
                for number, value in enumerate(bar.values):
                    height = value * scale
                    x = left + width * gap + number * each
                    rects.append(QRectF(x, plot.bottom() - height, each, height))
            result.append(Slot(bar, area, tuple(rects)))
        return result

    def bar_at(self, point: QPoint | QPointF) -> Bar | None:
        """The bar whose column holds `point` (its label included), if any."""
        where = QPointF(point)
        for slot in self.slots():
            if slot.area.contains(where):
                return slot.bar
        return None

    # --- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        base, text = palette.color(Role.Base), palette.color(Role.Text)
        painter.setPen(mix(base, palette.color(Role.Mid), 0.6))
        painter.setBrush(base)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
        chart = self.chart
        if chart is None or chart.empty:
            painter.setPen(secondary_text(palette))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
            painter.end()
            return
        colours = series_colours(palette, len(chart.series))
        self._paint_title_and_legend(painter, chart, colours, text)
        self._paint_axis(painter, palette)
        self._paint_bars(painter, chart, colours, text, palette)
        painter.end()

    def _paint_title_and_legend(
        self, painter: QPainter, chart: Chart, colours: list[QColor], text: QColor
    ) -> None:
        painter.setFont(self._title_font())
        painter.setPen(text)
        title_height = QFontMetrics(self._title_font()).height()
        unit = f" ({chart.unit})" if chart.unit else ""
        small = self._small_font()
        metrics = QFontMetrics(small)
        legend = 0 if len(chart.series) < 2 else sum(
            metrics.horizontalAdvance(name) + metrics.height() + 18 for name in chart.series
        )  # fmt: skip
        room = self.width() - 2 * PAD - legend - 8
        title = QFontMetrics(self._title_font()).elidedText(
            chart.title + unit, Qt.TextElideMode.ElideRight, room
        )
        painter.drawText(QRectF(PAD + 2, PAD, room, title_height),
                         Qt.AlignmentFlag.AlignVCenter, title)  # fmt: skip
        if not legend:
            return  # one series: the title says what it is
        painter.setFont(small)
        x = float(self.width() - PAD)
        box = metrics.height() * 0.7
        for name, colour in reversed(list(zip(chart.series, colours, strict=True))):
            x -= metrics.horizontalAdvance(name)
            painter.setPen(text)
            painter.drawText(QRectF(x, PAD, metrics.horizontalAdvance(name) + 2, title_height),
                             Qt.AlignmentFlag.AlignVCenter, name)  # fmt: skip
            x -= box + 4
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(x, PAD + (title_height - box) / 2, box, box), 2, 2)
            x -= 14

    def _paint_axis(self, painter: QPainter, palette: QPalette) -> None:
        plot = self.plot_rect()
        top = self._top()
        small = self._small_font()
        metrics = QFontMetrics(small)
        painter.setFont(small)
        grid = mix(palette.color(Role.Base), palette.color(Role.Text), 0.12)
        quiet = secondary_text(palette)
        ticks = tick_count(top)
        for tick in range(ticks + 1):
            value = top * tick / ticks
            y = plot.bottom() - plot.height() * tick / ticks
            painter.setPen(quiet if tick == 0 else grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(quiet)
            label = QRectF(PAD, y - metrics.height() / 2, plot.left() - PAD - 6, metrics.height())
            painter.drawText(label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             number_text(value))  # fmt: skip

    def _paint_bars(
        self, painter: QPainter, chart: Chart, colours: list[QColor], text: QColor,
        palette: QPalette,
    ) -> None:  # fmt: skip
        small = self._small_font()
        metrics = QFontMetrics(small)
        painter.setFont(small)
        plot = self.plot_rect()
        for slot in self.slots():
            for rect, colour, value in zip(slot.rects, colours, slot.bar.values, strict=False):
                if rect.height() <= 0:
                    continue
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawRect(rect)
                if chart.kind is not ChartKind.STRIP and rect.width() >= 16:
                    painter.setPen(text)
                    above = QRectF(rect.left() - 8, rect.top() - metrics.height() - 1,
                                   rect.width() + 16, metrics.height())  # fmt: skip
                    painter.drawText(above, Qt.AlignmentFlag.AlignCenter, number_text(value))
            total = sum(slot.bar.values)
            if chart.kind is ChartKind.STRIP and total:
                top = min(rect.top() for rect in slot.rects)
                painter.setPen(text)
                above = QRectF(slot.area.left(), top - metrics.height() - 1, slot.area.width(),
                               metrics.height())  # fmt: skip
                painter.drawText(above, Qt.AlignmentFlag.AlignCenter, number_text(total))
            painter.setPen(text if slot.bar.lead_ids else secondary_text(palette))
            label = QRectF(slot.area.left() + 2, plot.bottom() + 4, slot.area.width() - 4,
                           metrics.height())  # fmt: skip
            shown = metrics.elidedText(slot.bar.label, Qt.TextElideMode.ElideRight,
                                       int(label.width()))  # fmt: skip
            painter.drawText(label, Qt.AlignmentFlag.AlignCenter, shown)

    # --- the mouse and the theme -------------------------------------------------------------

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        bar = self.bar_at(event.position())
        if bar is not None and bar.lead_ids:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            bar = self.bar_at(event.position())
            if bar is not None and bar.lead_ids:
                self.bar_clicked.emit(bar)
                event.accept()
                return
        super().mouseReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            bar = self.bar_at(event.pos())
            if bar is None or self.chart is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), _bar_tip(self.chart, bar), self)
            return True
        return super().event(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.update()
        super().changeEvent(event)


def _bar_tip(chart: Chart, bar: Bar) -> str:
    values = ", ".join(
        f"{name}: {number_text(value)}" for name, value in zip(chart.series, bar.values,
                                                                strict=False)
    )  # fmt: skip
    more = ""
    if bar.lead_ids:
        count = len(bar.lead_ids)
        more = f"\nClick to see {'the lead' if count == 1 else f'the {count} leads'}"
    return f"{bar.label} — {values}{more}"


def _described(chart: Chart | None) -> str:
    """What a screen reader hears: the chart's numbers, bar by bar."""
    if chart is None or chart.empty:
        return EMPTY_TEXT
    return "; ".join(_bar_tip(chart, bar).split("\n")[0] for bar in chart.bars)
