"""The engine's tick and the alert lifecycle: open → snoozed → done / dismissed.

(`cleared` is the engine's own resolution: the condition went away, e.g. the buyer replied.)
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from followthrough.domain.alerts import LIVE, AlertKind, AlertOutcome, AlertStatus
from followthrough.domain.urgency import LEAST_URGENT, URGENCY
from followthrough.errors import InvalidData, NotFound
from followthrough.services.board_rows import TODAY_SHOWN, TodayAlerts, today_top
from followthrough.services.clock import utcnow
from followthrough.services.planning import replan, replan_leads
from followthrough.services.policy import load_policy
from followthrough.services.readmodels import AlertView
from followthrough.store.db import Database, board_reader
from followthrough.store.models import Alert, Lead

TICK_BATCH = 500


def urgency_key(alert: AlertView) -> tuple[int, datetime, int]:
    return (
        URGENCY.get(AlertKind(alert.kind), LEAST_URGENT),
        alert.due_at or alert.raised_at,
        alert.id,
    )


def tick(db: Database, now: datetime | None = None, zone: tzinfo | None = None) -> list[AlertView]:
    """Raise what has come due on leads whose next_check_at has passed; return the new alerts.

    Reads only the leads the index says are due, so its cost follows the work to do, not
    the size of the pipeline. Works in batches, each its own transaction: the first tick
    after a large import may find every lead due, and the CLI must not wait that long for
    the write lock. The new alerts' reasons name days as they fall in `zone` (default:
    the machine's).
    """
    now = now or utcnow()
    raised: list[AlertView] = []
    seen: set[int] = set()
    while True:
        with db.write() as session:
            policy = load_policy(session)
            due = session.connection().execute(
                # Ordered by the index's own column: ORDER BY id would scan the table.
                select(Lead.id)
                .where(col(Lead.next_check_at) <= now)
                .order_by(col(Lead.next_check_at))
                .limit(TICK_BATCH)
            )
            batch = [lead_id for (lead_id,) in due if lead_id not in seen]
            raised += replan_leads(
                session.connection(), batch, now, policy, raise_due=True, zone=zone
            )
        seen.update(batch)
        # A re-planned lead is never due again at the same `now`; fewer than a full batch
        # (or only leads already seen) means the work is done.
        if len(batch) < TICK_BATCH:
            return sorted(raised, key=urgency_key)


def next_check_at(db: Database) -> datetime | None:
    """The earliest moment any lead needs the engine (the timer sleeps until then)."""
    with db.read() as session:
        return session.exec(
            select(Lead.next_check_at)
            .where(col(Lead.next_check_at).is_not(None))
            .order_by(col(Lead.next_check_at))
            .limit(1)
        ).first()


def list_alerts(db: Database, include_resolved: bool = False) -> list[AlertView]:
    """Open alerts, most urgent first; with `include_resolved`, every alert ever raised."""
    query = select(Alert, Lead.name).join(Lead, col(Lead.id) == Alert.lead_id)
    if not include_resolved:
        query = query.where(Alert.status == AlertStatus.OPEN)
    with db.read() as session:
        views = [AlertView.of(alert, name) for alert, name in session.exec(query)]
    return sorted(views, key=urgency_key)


def still_open(db: Database, alert_ids: Collection[int]) -> list[AlertView]:
    """Those of `alert_ids` that are still open (nobody resolved or snoozed them), by urgency."""
    wanted = sorted(set(alert_ids))
    views: list[AlertView] = []
    with db.read() as session:
        # A few hundred ids at a time: far below SQLite's limit on one statement's values.
        for start in range(0, len(wanted), TICK_BATCH):
            query = (
                select(Alert, Lead.name)
                .join(Lead, col(Lead.id) == Alert.lead_id)
                .where(col(Alert.id).in_(wanted[start : start + TICK_BATCH]))
                .where(Alert.status == AlertStatus.OPEN)
            )
            views += [AlertView.of(alert, name) for alert, name in session.exec(query)]
    return sorted(views, key=urgency_key)


def today_alerts(db: Database, limit: int = TODAY_SHOWN) -> TodayAlerts:
    """The most urgent open alerts (as `urgency_key` orders them) and how many are open.

    It is read when the window opens, so it is kept cheap: see board_rows.today_top.
    """
    with db.read() as session:
        return today_top(board_reader(session), limit)


def get_alert(db: Database, alert_id: int) -> AlertView:
    with db.read() as session:
        found = session.exec(
            select(Alert, Lead.name)
            .join(Lead, col(Lead.id) == Alert.lead_id)
            .where(Alert.id == alert_id)
        ).first()
        if found is None:
            raise NotFound(f"no alert with id {alert_id}")
        return AlertView.of(*found)


def _live_alert(session: Session, alert_id: int) -> tuple[Alert, Lead]:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert with id {alert_id}")
    if alert.status not in LIVE:
        raise InvalidData(f"alert {alert_id} is already {alert.status}", "alert")
    lead = session.get(Lead, alert.lead_id)
    assert lead is not None
    return alert, lead


def snooze(db: Database, alert_id: int, until: datetime, now: datetime | None = None) -> AlertView:
    now = now or utcnow()
    if until <= now:
        raise InvalidData("snooze until a time in the future", "until")
    with db.write() as session:
        alert, lead = _live_alert(session, alert_id)
        alert.status, alert.snoozed_until = AlertStatus.SNOOZED, until
        alert.snoozes += 1
        replan(session, lead, now, load_policy(session))
        return AlertView.of(alert, lead.name)


def resolve(
    db: Database, alert_id: int, status: AlertStatus, now: datetime | None = None
) -> AlertView:
    """Mark an alert done (the user acted) or dismissed (not worth acting on)."""
    if status not in (AlertStatus.DONE, AlertStatus.DISMISSED):
        raise InvalidData(f"an alert is resolved as done or dismissed, not {status}", "status")
    now = now or utcnow()
    with db.write() as session:
        alert, lead = _live_alert(session, alert_id)
        alert.status, alert.resolved_at, alert.snoozed_until = status, now, None
        replan(session, lead, now, load_policy(session))
        return AlertView.of(alert, lead.name)


def record_engagement(session: Session, lead_id: int, at: datetime) -> None:
    """The buyer engaged: credit the alerts the user acted on in the days before."""
    policy = load_policy(session)
    since = at - timedelta(days=policy.outcome_days)
    credited = session.exec(
        select(Alert).where(
            Alert.lead_id == lead_id,
            Alert.status == AlertStatus.DONE,
            col(Alert.outcome).is_(None),
            col(Alert.resolved_at) >= since,
            col(Alert.resolved_at) <= at,
        )
    ).all()
    for alert in credited:
        alert.outcome, alert.outcome_at = AlertOutcome.ENGAGED, at
