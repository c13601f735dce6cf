"""New alerts on the desktop: what the engine raised, told when the person wants to hear it.

Listens to the scheduler, asks `domain.announce` what to say and when, sends it through the
notification bridge, and turns the buttons pressed on a notification into actions in the
app. Alerts raised out of working hours are held back and re-read when work starts, so one
resolved in the meantime is never announced.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from followthrough.domain.alerts import AlertStatus
from followthrough.domain.announce import Announcement, plan_announcements
from followthrough.domain.preferences import Preferences
from followthrough.services import alerts
from followthrough.services.clock import utcnow
from followthrough.services.database import Database
from followthrough.services.preferences import get_preferences
from followthrough.services.readmodels import AlertView
from followthrough.shipped import resource_path
from followthrough.ui.changes import ALERTS
from followthrough.ui.notify.bridge import CLICKED, NotificationBridge
from followthrough.ui.ops import Operations
from followthrough.ui.scheduler import Scheduler

DRAFT, SNOOZE, DONE = "draft", "snooze", "done"
BUTTONS = ((DRAFT, "Draft"), (SNOOZE, "Snooze"), (DONE, "Done"))
# What "snooze" means on a desktop notification: it comes back soon, the same day. Longer
# snoozes (tomorrow, next week) are a decision, made in the Today list where they are listed.
SNOOZE_FOR = timedelta(hours=1)
# Held-back alerts are checked at least this often: a timer may not count time the machine
# spent asleep, the wall clock does.
MAX_WAIT = timedelta(minutes=1)


class AlertNotifier(QObject):
    open_lead = Signal(int)  # the person clicked a notification about this lead
    open_today = Signal()  # they clicked a summary of several leads
    draft_requested = Signal(int)  # alert id: "Draft" was pressed
    announced = Signal(object)  # Announcement: it is on the desktop
    status_changed = Signal(str)  # a sentence for the window; "" when notifications work again

    def __init__(
        self,
        ops: Operations,
        clock: Callable[[], datetime] = utcnow,
        zone: tzinfo | None = None,  # working hours are read here; None: the system's zone
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.clock = clock
        self.zone = zone
        self.available = True  # until a notification server says otherwise
        self.status = ""
        self._held: set[int] = set()  # alert ids waiting for working time
        self._held_until: datetime | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.release_held)
        self.bridge = NotificationBridge(resource_path("icons", "followthrough.svg"), self)
        queued = Qt.ConnectionType.QueuedConnection  # the bridge emits from its own thread
        self.bridge.activated.connect(self._activated, queued)
        self.bridge.sent.connect(self.announced, queued)
        self.bridge.availability.connect(self._availability, queued)
        self.bridge.probe()

    def watch(self, scheduler: Scheduler) -> None:
        scheduler.raised.connect(self.announce)

    @Slot(list)
    def announce(self, raised: list[AlertView]) -> None:
        """Tell the person about alerts a tick raised, now or when work starts."""
        now = self.clock()
        self.ops.run(get_preferences, lambda prefs: self._plan(raised, prefs, now))

    def release_held(self) -> None:
        """Announce the alerts held back, if working time has come and they are still open."""
        now = self.clock()
        if self._held_until is not None and now < self._held_until:
            self._wait()
            return
        held, self._held, self._held_until = self._held, set(), None
        if held:
            self.ops.run(lambda db: _still_open(db, held), lambda found: self._plan(*found, now))

    def shutdown(self) -> None:
        self._timer.stop()
        self.bridge.shutdown()

    def _plan(self, raised: list[AlertView], prefs: Preferences, now: datetime) -> None:
        plan = plan_announcements(raised, prefs, now, self.zone)
        for announcement in plan.now:
            self.bridge.send(announcement, BUTTONS if announcement.actionable else ())
        if plan.later_at is not None:
            self._held.update(plan.later)
            if self._held_until is None or plan.later_at < self._held_until:
                self._held_until = plan.later_at
            self._wait()

    def _wait(self) -> None:
        assert self._held_until is not None
        wait = min(max(self._held_until - self.clock(), timedelta(0)), MAX_WAIT)
        self._timer.start(int(wait.total_seconds() * 1000))

    @Slot(object, str)
    def _activated(self, announcement: Announcement, key: str) -> None:
        alert_id, lead_id = announcement.alert_id, announcement.lead_id
        if key == CLICKED:
            if lead_id is None:
                self.open_today.emit()
            else:
                self.open_lead.emit(lead_id)
        elif alert_id is None:
            return  # a summary has no buttons; a stray key from the server is ignored
        elif key == DRAFT:
            self.draft_requested.emit(alert_id)
            if lead_id is not None:
                self.open_lead.emit(lead_id)
        elif key in (SNOOZE, DONE):
            # Like Today's buttons: the alert moves, and re-planning its lead only sets when
            # the lead is next checked, which no view shows.
            now = self.clock()
            if key == SNOOZE:
                self.ops.run(
                    lambda db: alerts.snooze(db, alert_id, now + SNOOZE_FOR, now), writes=ALERTS
                )
            else:
                self.ops.run(
                    lambda db: alerts.resolve(db, alert_id, AlertStatus.DONE, now), writes=ALERTS
                )

    @Slot(bool, str)
    def _availability(self, available: bool, reason: str) -> None:
        self.available = available
        status = "" if available else f"Desktop notifications are unavailable: {reason}"
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)


def _still_open(db: Database, ids: set[int]) -> tuple[list[AlertView], Preferences]:
    """The held-back alerts nobody resolved or snoozed meanwhile, and today's preferences."""
    return alerts.still_open(db, ids), get_preferences(db)
