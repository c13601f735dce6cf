"""One report's page: its title, its period, a few figures in large type, a chart, tables.

The page only shows what it is given (a `ReportView`); the window reads the report off the
GUI thread and hands it over. Rows and bars that know their leads say so with a click:
`leads_wanted` carries the ids and a caption for the list of them.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.reportview import Bar, Figure, ReportView, Table, cell_text
from followthrough.services.insights.catalog import ReportSpec
from followthrough.ui.insights.charts import EMPTY_TEXT, ChartView
from followthrough.ui.insights.table_model import ReportTableModel

PERIODS = (7, 30, 60, 90)  # the period chooser's choices, in days
WORKING = "Working…"
TABLE_ROWS_SHOWN = 12  # a longer table scrolls inside itself
FIGURE_SCALE = 2.2  # a headline figure's size against the body text


def period_words(days: int) -> str:
    return f"Last {days} days"


class FigureBox(QFrame):
    """A headline figure: its label small above, its value large; the hint as a tooltip."""

    def __init__(self, figure: Figure, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(figure.label, self)
        self.label.setWordWrap(True)
        small = QFont(self.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.label.setFont(small)
        self.value = QLabel(cell_text(figure.value), self)
        big = QFont(self.font())
        big.setPointSizeF(big.pointSizeF() * FIGURE_SCALE)
        big.setBold(True)
        self.value.setFont(big)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setToolTip(figure.hint)
        self.setAccessibleName(f"{figure.label}: {cell_text(figure.value)}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.label)
        layout.addWidget(self.value)


class ReportPage(QWidget):
    period_changed = Signal()  # another period chosen: the window reads the report again
    leads_wanted = Signal(object, str)  # (lead ids, what they are): a row or a bar clicked

    def __init__(self, spec: ReportSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.view: ReportView | None = None
        self.figures: list[FigureBox] = []
        self.tables: list[QTableView] = []
        self.empty_tables: list[QLabel] = []

        title = QLabel(spec.title, self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.title = title
        self.summary = QLabel(spec.summary, self)
        self.summary.setWordWrap(True)
        self.period = QComboBox(self)
        self.period.setAccessibleName("Period")
        days = sorted({*PERIODS, spec.default_days})
        for count in days:
            self.period.addItem(period_words(count), count)
        self.period.setCurrentIndex(days.index(spec.default_days))
        self.period.currentIndexChanged.connect(lambda _i: self.period_changed.emit())
        self.status = QLabel(WORKING, self)
        self.status.setAccessibleName("Status")
        self.status.setWordWrap(True)

        self.chart = ChartView(self)
        self.chart.bar_clicked.connect(self._bar_clicked)
        self.chart.hide()  # until a report with a chart is shown
        self.body = QWidget(self)  # figures, tables and notes: rebuilt for each report read
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)

        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setContentsMargins(16, 12, 16, 12)
        column.setSpacing(10)
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(QLabel("Period:", self))
        head.addWidget(self.period)
        column.addLayout(head)
        column.addWidget(self.summary)
        column.addWidget(self.status)
        self.figure_row = QHBoxLayout()
        self.figure_row.setSpacing(10)
        column.addLayout(self.figure_row)
        column.addWidget(self.chart)
        column.addWidget(self.body)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    @property
    def days(self) -> int:
        return int(self.period.currentData())

    # --- what the window tells the page -----------------------------------------------------

    def show_working(self) -> None:
        self.status.setText(WORKING)
        self.status.show()

    def show_error(self, message: str) -> None:
        self.status.setText(f"This report could not be read: {message}")
        self.status.show()

    def show_view(self, view: ReportView) -> None:
        self.view = view
        self.status.setVisible(bool(view.notes))
        self.status.setText("\n".join(view.notes))
        for box in self.figures:
            self.figure_row.removeWidget(box)
            box.deleteLater()
        self.figures = [FigureBox(figure, self) for figure in view.figures]
        for box in self.figures:
            self.figure_row.addWidget(box, 1)
        self.chart.set_chart(view.chart)
        self.chart.setVisible(view.chart is not None)
        self._show_tables(view.tables)

    def _show_tables(self, tables: tuple[Table, ...]) -> None:
        for index in reversed(range(self.body_layout.count())):
            item = self.body_layout.takeAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.tables, self.empty_tables = [], []
        if not tables and not self.figures and (self.view is None or self.view.chart is None):
            self.empty_tables.append(self._add_label(EMPTY_TEXT))
        for table in tables:
            heading = self._add_label(table.title)
            heading_font = QFont(heading.font())
            heading_font.setBold(True)
            heading.setFont(heading_font)
            if not table.rows:
                self.empty_tables.append(self._add_label(table.empty_text or EMPTY_TEXT))
                continue
            self.tables.append(self._add_table(table))

    def _add_label(self, text: str) -> QLabel:
        label = QLabel(text, self.body)
        label.setWordWrap(True)
        self.body_layout.addWidget(label)
        return label

    def _add_table(self, table: Table) -> QTableView:
        view = QTableView(self.body)
        view.setAccessibleName(table.title)
        model = ReportTableModel(table, view)  # the view's child: it outlives its paints
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the report's own order
        view.setSortingEnabled(True)
        # The first column names the row and takes the room; the figures fit their values.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(90)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        rows = min(model.rowCount(), TABLE_ROWS_SHOWN)
        height = header.sizeHint().height() + 2 * view.frameWidth() + 2
        height += sum(view.rowHeight(row) or view.verticalHeader().defaultSectionSize()
                      for row in range(rows))  # fmt: skip
        view.setFixedHeight(height)
        view.clicked.connect(lambda index: self._row_clicked(view, index))
        self.body_layout.addWidget(view)
        return view

    # --- clicks through to the leads --------------------------------------------------------

    def _row_clicked(self, view: QTableView, index: QModelIndex) -> None:
        model = view.model()
        assert isinstance(model, ReportTableModel)
        row = model.row_at(index.row())
        if row.lead_ids:
            first = cell_text(row.cells[0]) if row.cells else ""
            self.leads_wanted.emit(row.lead_ids, f"{model.table.title}: {first}")

    def _bar_clicked(self, bar: Bar) -> None:
        chart = self.view.chart if self.view is not None else None
        title = chart.title if chart is not None else self.spec.title
        self.leads_wanted.emit(bar.lead_ids, f"{title}: {bar.label}")
