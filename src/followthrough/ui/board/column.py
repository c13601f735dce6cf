"""A board column: its header with the count, and a list view of cards that can be dragged."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QVBoxLayout, QWidget

from followthrough.domain.states import State
from followthrough.ui.board.delegate import CardDelegate
from followthrough.ui.board.model import LeadColumnModel


class BoardColumn(QWidget):
    def __init__(self, state: State, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.model = LeadColumnModel(state, self)
        self.header = QLabel(state.label, self)
        self.header.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.view = QListView(self)
        self.view.setObjectName(f"column-{state.value}")
        self.view.setAccessibleName(f"{state.label} leads")
        self.view.setModel(self.model)
        self.view.setItemDelegate(CardDelegate(self.view))
        self.view.setUniformItemSizes(True)  # all cards are one height: fast with many leads
        self.view.setSpacing(2)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Cards are dragged between columns; the model turns a drop into a move request.
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.view)
        self.model.modelReset.connect(self._update_header)
        self.model.rowsInserted.connect(self._update_header)

    def _update_header(self) -> None:
        self.header.setText(f"{self.state.label} ({self.model.total:,})")
        self.header.setAccessibleName(f"{self.state.label}: {self.model.total} leads")
