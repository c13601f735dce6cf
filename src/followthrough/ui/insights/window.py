"""The Insights window: the reports listed on the left, the one chosen on the right, and the
leads behind a clicked row beside it.

Non-modal and one per main window (window_dialogs opens it, and raises it when asked again).
A report is read through the operations worker when its page is first shown, when its period
changes, and again after leads, alerts or settings moved; only the newest read of each page
is shown, and nothing is shown once the window is closed (the owner guard). Imported on first
use: start-up never loads it (tests/ui/test_insights_window.py checks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import shiboken6
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.period import Period
from followthrough.domain.reportview import ReportView
from followthrough.services.clock import local_zone, utcnow
from followthrough.services.database import Database
from followthrough.services.insights import catalog
from followthrough.services.insights.catalog import ReportSpec
from followthrough.ui.changes import LEADS, SETTINGS, Changes
from followthrough.ui.insights.leads_list import LeadsList, LeadsRead, read_leads
from followthrough.ui.insights.page import ReportPage
from followthrough.ui.insights.review_export import ReviewExport
from followthrough.ui.insights.suggestions import SuggestionsBar
from followthrough.ui.ops import Operations
from followthrough.ui.undo import History

# What a report is read from: leads and their timelines, alerts, and the person's settings.
SHOWN = LEADS | SETTINGS
LEADS_READ = "leads behind"
ITEM_HEIGHT = 2.0  # a report's entry on the left, in lines: an easy target for the mouse


class InsightsWindow(QDialog):
    loaded = Signal(str)  # a report's key: its page shows the read just made

    def __init__(
        self,
        ops: Operations,
        choose_lead: Callable[[int], object],
        parent: QWidget | None = None,
        reports: Sequence[ReportSpec] | None = None,
        history: History | None = None,
    ) -> None:
        """`choose_lead(id)` makes a lead the main window's current one; `history` is its
        undo stack, where an applied suggestion goes."""
        super().__init__(parent)
        self.ops = ops
        self.choose_lead = choose_lead
        self.reports = tuple(catalog.REPORTS if reports is None else reports)
        self._stale: set[str] = set()  # pages whose data moved since they were read
        self.setWindowTitle("Insights")
        self.setModal(False)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setSizeGripEnabled(True)
        self.resize(1100, 760)

        self.index = QListWidget(self)
        self.index.setAccessibleName("Reports")
        self.index.setMinimumWidth(150)
        self.index.setMaximumWidth(240)
        self.index.setSpacing(2)
        self.pages = QStackedWidget(self)
        self.by_key: dict[str, ReportPage] = {}
        for spec in self.reports:
            page = ReportPage(spec, self.pages)
            self.pages.addWidget(page)
            self.by_key[spec.key.value] = page
            item = QListWidgetItem(spec.title, self.index)
            item.setToolTip(spec.summary)
            item.setSizeHint(QSize(0, round(self.fontMetrics().height() * ITEM_HEIGHT)))
            page.period_changed.connect(partial(self._read, page))
            page.leads_wanted.connect(self.show_leads)
        self.leads = LeadsList(self)
        self.leads.chosen.connect(self._lead_chosen)
        self.leads.hide()  # until a row with several leads is clicked

        # The Friday review: every report on one page, to keep or print.
        self.review = ReviewExport(ops, self)
        self.export_button = QPushButton("Export weekly review…", self)
        self.export_button.setToolTip("Save every report as one web page or PDF")
        self.export_button.clicked.connect(lambda: self.review.ask())
        self.export_said = QLabel(self)  # where it went, or why it could not
        self.export_said.setWordWrap(True)
        self.export_said.hide()
        self.review.written.connect(lambda path: self._said(f"Saved {path}"))
        self.review.failed.connect(self._said)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 4)
        side_layout.addWidget(self.index, 1)
        side_layout.addWidget(self.export_button)
        side_layout.addWidget(self.export_said)
        side.setMaximumWidth(240)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(side)
        splitter.addWidget(self.pages)
        splitter.addWidget(self.leads)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([180, 680, 240])
        self.suggestions = SuggestionsBar(ops, self, history)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.suggestions)
        layout.addWidget(splitter, 1)

        self.index.currentRowChanged.connect(self._page_chosen)
        if self.reports:
            self.index.setCurrentRow(0)
        ops.changed.connect(self._data_changed)

    def _said(self, words: str) -> None:
        self.export_said.setText(words)
        self.export_said.show()

    def page(self) -> ReportPage | None:
        widget = self.pages.currentWidget()
        return widget if isinstance(widget, ReportPage) else None

    # --- the window's life -----------------------------------------------------------------

    def present(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():  # opened (again): what it shows may be old
            self._stale = set(self.by_key)
            self._read_if_stale()
            self.suggestions.refresh()

    def done(self, result: int) -> None:
        self.ops.drop_pending(self)  # reads on their way are for a closed window
        super().done(result)

    def _on_screen(self) -> bool:
        # Not closed, nor deleted with its parent (which never calls done()).
        return shiboken6.isValid(self) and self.isVisible()

    def _data_changed(self, changes: Changes) -> None:
        if not changes.touches(SHOWN):
            return
        self._stale = set(self.by_key)
        if self._on_screen():
            self._read_if_stale()
            self.suggestions.refresh()

    # --- reading the reports ---------------------------------------------------------------

    def _page_chosen(self, row: int) -> None:
        if row < 0:
            return
        self.pages.setCurrentIndex(row)
        if self._on_screen():
            self._read_if_stale()

    def _read_if_stale(self) -> None:
        page = self.page()
        if page is not None and (page.view is None or page.spec.key.value in self._stale):
            self._read(page)

    def _read(self, page: ReportPage) -> None:
        spec, key = page.spec, page.spec.key.value
        period, zone = Period.last(page.days, utcnow()), local_zone()
        self._stale.discard(key)
        page.show_working()

        def build(db: Database) -> ReportView:
            return spec.build(db, period, zone)

        def shown(view: ReportView) -> None:
            page.show_view(view)
            self.loaded.emit(key)

        self.ops.run(
            build,
            shown,
            on_error=page.show_error,
            owner=self,
            latest=f"report {key}",  # a newer read of this page (a period, a change) wins
        )

    # --- the leads behind a row -------------------------------------------------------------

    def show_leads(self, lead_ids: tuple[int, ...], caption: str) -> None:
        """One lead: it becomes the current lead. Several: they are listed beside the page."""
        if len(lead_ids) == 1:
            self.choose_lead(lead_ids[0])
            return
        self.leads.show_reading(caption)
        ids = list(lead_ids)
        self.ops.run(
            lambda db: read_leads(db, ids), self._leads_read, owner=self, latest=LEADS_READ
        )

    def _leads_read(self, read: LeadsRead) -> None:
        self.leads.show_leads(read)

    def _lead_chosen(self, lead_id: int) -> None:
        self.choose_lead(lead_id)
