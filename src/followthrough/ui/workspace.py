"""The window's body: Today, the board and the lead panel — or, with no lead at all, the
first-run page across the whole window.

On a wide window the three sit side by side in a splitter (each person sets the balance they
like); below FOLD_BELOW pixels Today and the lead panel fold into one tabbed pane on the right,
so the three columns keep a readable width, and unfold again when the window widens.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from followthrough.ui.actions import LeadActions
from followthrough.ui.alerts.today import TodayPanel
from followthrough.ui.board.view import BoardView
from followthrough.ui.first_run import FirstRunPanel
from followthrough.ui.lead.panel import LeadPanel
from followthrough.ui.ops import Operations

FOLD_BELOW = 1150  # window width under which the side panes share one tabbed pane
TODAY_WIDTH = (230, 0.19, 300)  # (least, share of the window, most)
PANEL_WIDTH = (280, 0.24, 380)
FOLDED_WIDTH = (280, 0.30, 360)


def _width(rule: tuple[int, float, int], window: int) -> int:
    least, share, most = rule
    return max(least, min(most, round(window * share)))


class Workspace(QStackedWidget):
    def __init__(self, ops: Operations, actions: LeadActions, parent: QWidget) -> None:
        super().__init__(parent)
        self.first_run = FirstRunPanel(ops, self)
        self.work = QWidget(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self.work)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(8)
        work_layout = QVBoxLayout(self.work)
        work_layout.setContentsMargins(0, 4, 0, 0)
        work_layout.addWidget(self.splitter)
        self.today = TodayPanel(ops, actions, self.splitter)
        self.today.setMinimumWidth(200)
        self.board = BoardView(self.splitter)
        self.board.setMinimumWidth(3 * 150 + 20)
        self.lead_panel = LeadPanel(ops, actions, self.splitter)
        self.lead_panel.setMinimumWidth(260)
        self.side_tabs = QTabWidget(self)  # Today and the lead, when the window is narrow
        self.side_tabs.setAccessibleName("Today and the lead")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.hide()
        self.addWidget(self.first_run)
        self.addWidget(self.work)
        self.setCurrentWidget(self.work)
        self.folded: bool | None = None  # unknown until the first fit
        self.today.loaded.connect(self._name_today_tab)

    def show_first_run(self, first_run: bool) -> None:
        self.setCurrentWidget(self.first_run if first_run else self.work)

    def fit(self, window_width: int) -> None:
        """Fold or unfold the side panes for this window width, and size them."""
        folded = window_width < FOLD_BELOW
        if folded == self.folded:
            return
        self.folded = folded
        splitter = self.splitter
        if folded:
            self.side_tabs.addTab(self.lead_panel, "Lead")
            self.side_tabs.addTab(self.today, "Today")
            self._name_today_tab()
            splitter.insertWidget(0, self.board)
            splitter.insertWidget(1, self.side_tabs)
            self.side_tabs.show()
            side = _width(FOLDED_WIDTH, window_width)
            splitter.setSizes([window_width - side, side])
            splitter.setStretchFactor(0, 1)
            splitter.setStretchFactor(1, 0)
        else:
            while self.side_tabs.count():
                self.side_tabs.removeTab(0)  # the pages go back into the splitter below
            splitter.insertWidget(0, self.today)
            splitter.insertWidget(1, self.board)
            splitter.insertWidget(2, self.lead_panel)
            self.side_tabs.hide()
            self.side_tabs.setParent(self)
            today, panel = _width(TODAY_WIDTH, window_width), _width(PANEL_WIDTH, window_width)
            splitter.setSizes([today, window_width - today - panel, panel])
            for index, stretch in enumerate((0, 1, 0)):
                splitter.setStretchFactor(index, stretch)
        self.today.show()
        self.lead_panel.show()

    def show_today(self) -> None:
        """Bring the Today list into view and give it the keyboard."""
        if self.folded:
            self.side_tabs.setCurrentWidget(self.today)
        self.today.view.setFocus()

    def show_lead(self) -> None:
        """After a card is chosen on a narrow window: the lead's tab comes to the front."""
        if self.folded:
            self.side_tabs.setCurrentWidget(self.lead_panel)

    def _name_today_tab(self) -> None:
        index = self.side_tabs.indexOf(self.today)
        if index >= 0:
            total = self.today.total
            self.side_tabs.setTabText(index, f"Today ({total:,})" if total else "Today")
