"""The three columns side by side, with one highlighted card across all of them.

Which card is chosen is read from the selection, never from the "current index": a mouse
press makes a card current *before* it selects it (Qt's item views update the current index
with no selection, then select on the same press), so code listening to current-index
changes saw the click before the card was selected and kept acting on the previous one.
Listening to the selection itself sees the card once it is chosen, by mouse or keyboard.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.board_rows import ColumnPage
from followthrough.services.readmodels import LeadView
from followthrough.ui.board.column import BoardColumn


class BoardView(QWidget):
    chosen = Signal(object)  # LeadView: the person chose this card (mouse or keyboard)
    dropped = Signal(int, str, object)  # lead id, its name, the State it was dropped on
    menu_wanted = Signal(object, QPoint)  # LeadView, and where (global) to open its menu
    more_wanted = Signal(object, int)  # State, offset: the column scrolled to its end

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Board")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.columns: dict[str, BoardColumn] = {}
        self._quiet = False  # set while the board itself moves the highlight
        for state in BOARD_STATES:
            column = BoardColumn(state, self)
            row.addWidget(column, 1)  # the columns share the free width equally
            self.columns[state.value] = column
            self._wire(column)

    def _wire(self, column: BoardColumn) -> None:
        state = column.state
        column.model.more_wanted.connect(lambda offset: self.more_wanted.emit(state, offset))
        column.model.lead_dropped.connect(
            lambda lead_id, name, _from: self.dropped.emit(lead_id, name, state)
        )
        column.view.selectionModel().selectionChanged.connect(
            lambda _selected, _deselected: self._selection_moved(column)
        )
        column.view.customContextMenuRequested.connect(lambda point: self._menu_at(column, point))

    # --- what is shown --------------------------------------------------------------------

    def show_pages(self, pages: dict[State, ColumnPage], searching: bool) -> None:
        """Fresh cards in every column; the highlighted card is lost (call `highlight`)."""
        self._quiet = True
        try:
            for state, page in pages.items():
                column = self.columns[state.value]
                column.set_searching(searching)
                column.model.set_page(page)
        finally:
            self._quiet = False

    def append_page(self, page: ColumnPage) -> None:
        self.columns[page.state.value].model.append_page(page)

    def lead_view(self, lead_id: int) -> LeadView | None:
        """The lead as its card shows it, if its card is loaded."""
        for column in self.columns.values():
            row = column.model.row_of(lead_id)
            if row is not None:
                return column.model.lead_at(row)
        return None

    def first_lead(self) -> LeadView | None:
        """The first card, reading the columns left to right (a search's best match)."""
        for column in self.columns.values():
            if column.model.rowCount():
                return column.model.lead_at(0)
        return None

    def highlight(self, lead_id: int | None, scroll: bool = True) -> LeadView | None:
        """Highlight this lead's card (and no other); its view when the card is loaded."""
        found = None
        self._quiet = True
        try:
            for column in self.columns.values():
                row = column.model.row_of(lead_id) if lead_id is not None else None
                if row is None:
                    column.view.selectionModel().clear()
                    continue
                index = column.model.index(row)
                column.view.setCurrentIndex(index)  # selects it too (single selection)
                if scroll:
                    column.view.scrollTo(index)
                found = column.model.lead_at(row)
        finally:
            self._quiet = False
        return found

    def focus_card(self, lead_id: int) -> bool:
        """Give the keyboard focus to this lead's column (after choosing it elsewhere)."""
        for column in self.columns.values():
            if column.model.row_of(lead_id) is not None:
                column.view.setFocus()
                return True
        return False

    # --- what the person does -------------------------------------------------------------

    def _selection_moved(self, column: BoardColumn) -> None:
        if self._quiet:
            return
        selected = column.view.selectionModel().selectedIndexes()
        if not selected:
            return  # a card was deselected: the chosen lead stays what it was
        lead = column.model.lead_at(selected[0].row())
        self._quiet = True
        try:  # one highlight across the board: choosing here clears the other columns
            for other in self.columns.values():
                if other is not column:
                    other.view.selectionModel().clear()
        finally:
            self._quiet = False
        self.chosen.emit(lead)

    def _menu_at(self, column: BoardColumn, point: QPoint) -> None:
        index = column.view.indexAt(point)
        if not index.isValid():
            return
        column.view.setCurrentIndex(index)  # a right-click chooses the card, like a click
        lead = column.model.lead_at(index.row())
        self.menu_wanted.emit(lead, column.view.viewport().mapToGlobal(point))
