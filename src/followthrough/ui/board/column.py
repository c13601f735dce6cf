"""A board column: its title and count, and a list of cards that can be dragged.

The column is a soft panel a shade off the window's colour; cards sit on it in the base colour.
Cards always take the column's width: the list never scrolls sideways, whatever the width.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.states import State
from followthrough.ui.board.delegate import CardDelegate
from followthrough.ui.board.model import LeadColumnModel
from followthrough.ui.board.style import paint_panel, secondary_text

# What an empty column says when nothing is stored there (a search says "No matches").
EMPTY_HINTS = {
    State.HOT: "Nothing hot right now.\nDrag a lead here when a conversation is live.",
    State.WARM: "No warm leads.\nInterested but undecided leads wait here.",
    State.RECYCLE: "Nothing parked.\nLeads you park come back here on their date.",
}
NO_MATCHES = "No matches"


class CardList(QListView):
    """The cards; when there are none, the reason in their place."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.placeholder = ""

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is None or model.rowCount() or not self.placeholder:
            return
        painter = QPainter(self.viewport())
        painter.setPen(secondary_text(self.palette()))
        area = self.viewport().rect().adjusted(12, 24, -12, -12)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(area, int(flags), self.placeholder)
        painter.end()


class BoardColumn(QWidget):
    def __init__(self, state: State, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setAccessibleName(f"{state.label} column")
        self.model = LeadColumnModel(state, self)
        self.title = QLabel(state.label, self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.count = QLabel("", self)  # how many leads the column holds (matching a search)
        self.count.setAccessibleName(f"Leads in {state.label}")
        self.count.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.view = CardList(self)
        self.view.setObjectName(f"column-{state.value}")
        self.view.setAccessibleName(f"{state.label} leads")
        self.view.setModel(self.model)
        self.delegate = CardDelegate(self.view)  # kept: a view does not own its delegate
        self.view.setItemDelegate(self.delegate)
        self.view.setUniformItemSizes(True)  # all cards are one height: fast with many leads
        self.view.setSpacing(3)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)  # cards follow the column's width
        self.view.setMouseTracking(True)  # hover outlines the card under the pointer
        self.view.viewport().setAutoFillBackground(False)  # the column's panel shows through
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.placeholder = EMPTY_HINTS[state]
        # Cards are dragged between columns; the model turns a drop into a move request.
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        heading = QHBoxLayout()
        heading.setContentsMargins(8, 2, 8, 0)
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(heading)
        layout.addWidget(self.view)
        self.model.modelReset.connect(self._update_header)
        self.model.rowsInserted.connect(self._update_header)
        self._update_header()

    def set_searching(self, searching: bool) -> None:
        self.view.placeholder = NO_MATCHES if searching else EMPTY_HINTS[self.state]
        self.view.viewport().update()

    def _update_header(self) -> None:
        total = self.model.total
        self.count.setText(f"{total:,}")
        self.title.setAccessibleName(f"{self.state.label}: {total} leads")

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_panel(self)
