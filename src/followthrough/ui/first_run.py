"""What the window shows instead of an empty board: the three columns explained, and a start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.states import State
from followthrough.ui.changes import LEADS
from followthrough.ui.ops import Operations

if TYPE_CHECKING:
    from followthrough.services.database import Database

# Long lines are tiring to read; on a wide window the text keeps this width, centred.
TEXT_WIDTH = 680
# The page's and the text column's own margins, on both sides, around the button row.
_ROW_MARGINS = 48
# Room for the vertical scroll bar, which may take a strip of the panel's width.
_SCROLLBAR = 24

HEADING = "Your pipeline is empty"
INTRO = (
    "Every lead you follow sits in one of three columns. The app keeps an eye on each one "
    "and tells you, in Today, when a lead needs you."
)
COLUMNS: tuple[tuple[State, str], ...] = (
    (
        State.HOT,
        "You are talking now and the next step is clear. If two days pass after your message "
        "without an answer, you are told, so a live deal does not go quiet.",
    ),
    (
        State.WARM,
        "Interested, but no rush on their side. Keep a steady pace: after a week without an "
        "answer you are told.",
    ),
    (
        State.RECYCLE,
        "Not now, but not forgotten. A parked lead has a reason and a date to come back; on "
        "that date it shows up in Today again.",
    ),
)
GUARD_NOTE = (
    "In Hot and Warm, once three of your messages in a row go unanswered, the reminders stop: "
    "the app suggests one last clear note, then parking the lead."
)
SAMPLE_LABEL = "E&xplore a sample pipeline"
SAMPLE_BUSY = "Loading the sample…"


class FirstRunPanel(QWidget):
    """Shown in place of the board while the pipeline has no lead at all."""

    add_requested = Signal()  # the user wants to add a lead: open the quick-add dialog
    sample_loaded = Signal(int)  # the sample is in the database: how many leads it added
    import_requested = Signal()  # the user wants to bring leads in from a file

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.setAccessibleName("Getting started")

        content = QWidget()
        content.setMaximumWidth(TEXT_WIDTH)
        column = QVBoxLayout(content)
        column.setSpacing(12)

        self.heading = QLabel(HEADING, content)
        self.heading.setAccessibleName(HEADING)
        heading_font = QFont(self.heading.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.6)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.heading.setWordWrap(True)
        column.addWidget(self.heading)
        column.addWidget(self._paragraph(INTRO, content))

        self.explanations: dict[State, QLabel] = {}
        for state, text in COLUMNS:
            column.addWidget(self._column_block(state, text, content))
        column.addWidget(self._paragraph(GUARD_NOTE, content))

        column.addSpacing(8)
        column.addLayout(self._buttons(content))
        self.problem = QLabel("", content)
        self.problem.setAccessibleName("Problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.setVisible(False)
        column.addWidget(self.problem)
        column.addStretch(1)

        # Scrolls rather than squeezes when the window is short or narrow.
        page = QWidget()
        centring = QHBoxLayout(page)
        centring.addStretch(1)
        centring.addWidget(content, 100)
        centring.addStretch(1)
        self.page_scroll = scroll = QScrollArea(self)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    @staticmethod
    def _paragraph(text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setWordWrap(True)
        return label

    def _column_block(self, state: State, text: str, parent: QWidget) -> QFrame:
        # A plain framed box: its colours are the palette's, so dark themes stay readable.
        block = QFrame(parent)
        block.setFrameShape(QFrame.Shape.StyledPanel)
        block.setAccessibleName(f"{state.label} column")
        block.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        lines = QVBoxLayout(block)
        lines.setSpacing(4)
        title = QLabel(state.label, block)
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        lines.addWidget(title)
        body = self._paragraph(text, block)
        body.setAccessibleName(f"What {state.label} means")
        lines.addWidget(body)
        self.explanations[state] = body
        return block

    def _buttons(self, parent: QWidget) -> QBoxLayout:
        self.button_row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.add_button = QPushButton("&Add your first lead", parent)
        self.add_button.setAccessibleName("Add your first lead")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(lambda: self.add_requested.emit())
        self.sample_button = QPushButton(SAMPLE_LABEL, parent)
        self.sample_button.setAccessibleName("Explore a sample pipeline")
        self.sample_button.setToolTip("Adds a few made-up leads you can remove later")
        self.sample_button.clicked.connect(self.load_sample)
        self.import_button = QPushButton("&Import…", parent)
        self.import_button.setAccessibleName("Import leads")
        self.import_button.setToolTip("Bring in leads from a CSV file")
        self.import_button.clicked.connect(lambda: self.import_requested.emit())
        for button in (self.add_button, self.sample_button, self.import_button):
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        row.addStretch(1)
        return row

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        # Side by side when they fit; one under the other on a narrow window, so the row
        # never makes the page scroll sideways.
        buttons = (self.add_button, self.sample_button, self.import_button)
        needed = sum(button.sizeHint().width() for button in buttons)
        needed += self.button_row.spacing() * len(buttons) + _ROW_MARGINS
        available = min(self.width() - _SCROLLBAR, TEXT_WIDTH)
        narrow = needed > available
        self.button_row.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )

    def load_sample(self) -> None:
        """Add the sample pipeline in the background; the board takes over when it is in."""
        self.problem.setVisible(False)
        self.sample_button.setEnabled(False)
        self.sample_button.setText(SAMPLE_BUSY)
        # Leads, their alerts, and the sample's own record (read with the board).
        self.ops.run(_load_sample, self._loaded, writes=LEADS, on_error=self._failed)

    def _ready(self) -> None:
        self.sample_button.setText(SAMPLE_LABEL)
        self.sample_button.setEnabled(True)

    def _loaded(self, count: int) -> None:
        self._ready()
        self.sample_loaded.emit(count)

    def _failed(self, message: str) -> None:
        self._ready()
        self.problem.setText(f"The sample could not be loaded: {message}.")
        self.problem.setVisible(True)


def _load_sample(db: Database) -> int:
    # On the worker, on first use: the window shows before the services load.
    from followthrough.services import sample

    return sample.load_sample(db)
