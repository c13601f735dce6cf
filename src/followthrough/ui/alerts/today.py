"""Today: open alerts, most urgent first, each with its reason and the actions on it.

It reads nothing itself: its alerts come with the window's one read (PipelineView, and the
first look at start-up), so Today and the board always show the same moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.when import parse_when
from followthrough.services.board_rows import TodayAlerts
from followthrough.services.clock import utcnow
from followthrough.services.readmodels import AlertView
from followthrough.ui.alerts.delegate import ALERT_ROLE, AlertDelegate
from followthrough.ui.alerts.questions import MeetingQuestions
from followthrough.ui.alerts.snooze import SnoozeDialog
from followthrough.ui.board.style import paint_panel
from followthrough.ui.changes import ALERTS
from followthrough.ui.ops import Operations

if TYPE_CHECKING:
    from followthrough.services.database import Database
    from followthrough.ui.actions import LeadActions

Index = QModelIndex | QPersistentModelIndex


class AlertListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._alerts: list[AlertView] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._alerts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._alerts):
            return None
        alert = self._alerts[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{alert.lead_name} · {alert.rule.replace('_', ' ')}\n{alert.reason}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{alert.lead_name}: {alert.reason}"
        if role == ALERT_ROLE:
            return alert
        return None

    def set_alerts(self, found: list[AlertView]) -> None:
        self.beginResetModel()
        self._alerts = list(found)
        self.endResetModel()


def snooze_presets(now: datetime) -> list[tuple[str, datetime]]:
    """The choices a user snoozes with most: in an hour, tomorrow morning, next week."""
    return [
        ("For 1 hour", now + timedelta(hours=1)),
        ("Until tomorrow morning", parse_when("tomorrow", now)),
        ("Until next week", parse_when("mon", now)),
    ]


class TodayPanel(QWidget):
    lead_selected = Signal(int)
    loaded = Signal()
    draft_requested = Signal(int, int)  # lead id, alert id: write the follow-up for it

    def __init__(
        self, ops: Operations, actions: LeadActions, parent: QWidget | None = None
    ) -> None:
        """`actions`: where an answer to "did it happen?" goes, to be undoable."""
        super().__init__(parent)
        self.ops = ops
        self.model = AlertListModel(self)
        self.total = 0  # open alerts, listed or not
        self.title = QLabel("Today", self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.view = QListView(self)
        self.view.setObjectName("today")
        self.view.setAccessibleName("Today: open alerts, most urgent first")
        self.view.setModel(self.model)
        self.delegate = AlertDelegate(self.view)  # kept: a view does not own its delegate
        self.view.setItemDelegate(self.delegate)
        self.view.setUniformItemSizes(True)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMouseTracking(True)
        self.view.viewport().setAutoFillBackground(False)  # the panel shows through
        self.view.selectionModel().currentChanged.connect(self._selected)

        self.draft = QPushButton("&Draft", self)
        self.draft.clicked.connect(lambda _checked=False: self._draft())
        self.draft.setToolTip("Write a short follow-up that asks for one decision")
        self.done = QPushButton("D&one", self)
        self.done.clicked.connect(lambda _checked=False: self._resolve(AlertStatus.DONE))
        self.dismiss = QPushButton("Dis&miss", self)
        self.dismiss.clicked.connect(lambda _checked=False: self._resolve(AlertStatus.DISMISSED))
        self.snooze = QToolButton(self)
        self.snooze.setText("&Snooze")
        self.snooze.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.snooze_menu = QMenu(self.snooze)
        self.snooze_menu.aboutToShow.connect(self._fill_snooze_menu)
        self.snooze.setMenu(self.snooze_menu)

        buttons = QHBoxLayout()
        for button in (self.draft, self.snooze, self.done, self.dismiss):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 8, 6, 8)
        layout.setSpacing(6)
        title_row = QHBoxLayout()
        title_row.setContentsMargins(8, 2, 8, 0)
        title_row.addWidget(self.title)
        layout.addLayout(title_row)
        # Meetings from the calendar that have ended: did they happen? (hidden when none)
        self.questions = MeetingQuestions(ops, actions, self)
        layout.addWidget(self.questions)
        layout.addWidget(self.view)
        buttons.setContentsMargins(4, 0, 4, 0)
        layout.addLayout(buttons)
        self._enable()

    def show_alerts(self, today: TodayAlerts) -> None:
        """Show `today` as read with the board (or by the first look at start-up)."""
        current = self.current()
        found = list(today.alerts)
        self.model.set_alerts(found)
        self.total = today.total
        self.title.setText(f"Today ({today.total:,})" if found else "Today: nothing needs you")
        if today.total > len(found):
            self.title.setToolTip(f"The {len(found)} most urgent of {today.total:,} are listed")
        ids = [a.id for a in found]
        if current and current.id in ids:
            self.view.setCurrentIndex(self.model.index(ids.index(current.id)))
        self._enable()
        self.questions.refresh()  # the meetings to answer, as of the same change
        self.loaded.emit()

    def current(self) -> AlertView | None:
        index = self.view.currentIndex()
        value = self.model.data(index, ALERT_ROLE) if index.isValid() else None
        return value if isinstance(value, AlertView) else None

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_panel(self)

    def forget_choice_unless(self, lead_id: int | None) -> None:
        """Another lead became current: no alert stays highlighted for the previous one."""
        alert = self.current()
        if alert is not None and alert.lead_id != lead_id:
            self.view.selectionModel().clear()
            self.view.setCurrentIndex(QModelIndex())
            self._enable()

    def _enable(self) -> None:
        has = self.current() is not None
        for button in (self.draft, self.snooze, self.done, self.dismiss):
            button.setEnabled(has)

    def _selected(self, index: QModelIndex) -> None:
        self._enable()
        alert = self.current()
        if alert is not None:
            self.lead_selected.emit(alert.lead_id)

    def _draft(self) -> None:
        alert = self.current()
        if alert is not None:
            self.draft_requested.emit(alert.lead_id, alert.id)

    def _resolve(self, status: AlertStatus) -> None:
        alert = self.current()
        if alert is not None:
            self.ops.run(lambda db: _resolve(db, alert.id, status), writes=ALERTS)

    def snooze_until(self, until: datetime) -> None:
        alert = self.current()
        if alert is not None:
            self.ops.run(lambda db: _snooze(db, alert.id, until), writes=ALERTS)

    def _fill_snooze_menu(self) -> None:
        self.snooze_menu.clear()
        for label, until in snooze_presets(utcnow()):
            self.snooze_menu.addAction(label, partial(self.snooze_until, until))
        self.snooze_menu.addSeparator()
        self.snooze_menu.addAction("&Pick a time…", self.pick_snooze_time)

    def pick_snooze_time(self) -> SnoozeDialog | None:
        alert = self.current()
        if alert is None:
            return None
        dialog = SnoozeDialog(alert.lead_name, self)
        dialog.accepted.connect(lambda: self.snooze_until(dialog.chosen()))
        dialog.open()
        return dialog


# On the worker, on first use: the window shows before the services load (ui/startup.py).
def _resolve(db: Database, alert_id: int, status: AlertStatus) -> AlertView:
    from followthrough.services.alerts import resolve

    return resolve(db, alert_id, status)


def _snooze(db: Database, alert_id: int, until: datetime) -> AlertView:
    from followthrough.services.alerts import snooze

    return snooze(db, alert_id, until)
