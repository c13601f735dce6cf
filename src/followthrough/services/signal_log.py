"""Logging many signals at once, in the caller's transaction (the mail watcher's path).

Does for a batch what `leads.log_event` does for one signal, in a fixed number of
statements whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session

from followthrough.domain.alerts import AlertOutcome, AlertStatus
from followthrough.domain.leads import check_event_time
from followthrough.domain.signals import (
    Channel,
    Direction,
    SignalKind,
    is_answer,
    is_engagement,
)
from followthrough.services.planning import replan_leads
from followthrough.services.policy import load_policy
from followthrough.services.touch_facts import recount_timelines
from followthrough.store.tables import ALERT, EVENT, LEAD


@dataclass(frozen=True)
class SignalEntry:
    """One signal for `log_signals`: what `log_event` takes, for one lead."""

    lead_id: int
    kind: SignalKind
    at: datetime
    direction: Direction
    channel: Channel | None
    note: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def log_signals(session: Session, entries: Sequence[SignalEntry], now: datetime) -> list[int]:
    """Log many signals in the caller's transaction, as `log_event` would one by one.

    For the mail watcher, which may bring thousands at once: events are inserted in one
    statement, the touched leads' counters recounted from one read of their timelines,
    engagements credited from one read of their alerts, and the leads re-planned in one
    `replan_leads` call. Returns the touched leads' ids.
    """
    if not entries:
        return []
    for entry in entries:
        check_event_time(entry.at, now)
    conn = session.connection()
    event_table = EVENT
    conn.execute(
        insert(event_table),
        [
            {"lead_id": e.lead_id, "at": e.at, "kind": e.kind.value, "direction": e.direction.value,
             "channel": e.channel.value if e.channel else None, "text": e.note,
             "payload": e.payload, "created_at": now}
            for e in entries
        ],
    )  # fmt: skip
    touched = list(dict.fromkeys(e.lead_id for e in entries))
    recount_leads(conn, touched, now)
    engaged = [
        e for e in entries if is_engagement(e.kind, e.direction) or is_answer(e.kind, e.direction)
    ]
    _credit_engagements(conn, engaged, load_policy(session).outcome_days)
    replan_leads(conn, touched, now, load_policy(session))
    session.expire_all()  # plain statements wrote under the ORM's feet
    return touched


def recount_leads(conn: Connection, lead_ids: list[int], now: datetime) -> None:
    """The leads' touch counters from their timelines (a bulk log, changes from another
    device): one read of the timelines, each touch's kept facts on the way."""
    summaries = recount_timelines(conn, lead_ids)
    lead_table = LEAD
    rows = []
    for lead_id in lead_ids:
        summary = summaries[lead_id]
        rows.append(
            {"b_id": lead_id, "b_out": summary.last_outbound_at, "b_in": summary.last_inbound_at,
             "b_unanswered": summary.unanswered, "b_now": now}
        )  # fmt: skip
    conn.execute(
        update(lead_table)
        .where(lead_table.c.id == bindparam("b_id"))
        .values(
            last_outbound_at=bindparam("b_out"),
            last_inbound_at=bindparam("b_in"),
            unanswered=bindparam("b_unanswered"),
            updated_at=bindparam("b_now"),
        ),
        rows,
    )


def _credit_engagements(conn: Connection, engaged: list[SignalEntry], outcome_days: float) -> None:
    """`record_engagement` for many engagements: the first one in order credits an alert."""
    if not engaged:
        return
    alert_table = ALERT
    candidates = conn.execute(
        core_select(alert_table.c.id, alert_table.c.lead_id, alert_table.c.resolved_at).where(
            alert_table.c.lead_id.in_({e.lead_id for e in engaged}),
            alert_table.c.status == AlertStatus.DONE,
            alert_table.c.outcome.is_(None),
            alert_table.c.resolved_at.is_not(None),
        )
    ).all()
    waiting: dict[int, list[tuple[int, datetime]]] = {}
    for alert_id, lead_id, resolved_at in candidates:
        waiting.setdefault(lead_id, []).append((alert_id, resolved_at))
    credited: list[dict[str, Any]] = []
    window = timedelta(days=outcome_days)
    for entry in engaged:
        still = []
        for alert_id, resolved_at in waiting.get(entry.lead_id, []):
            if entry.at - window <= resolved_at <= entry.at:
                credited.append({"b_id": alert_id, "b_at": entry.at})
            else:
                still.append((alert_id, resolved_at))
        waiting[entry.lead_id] = still
    if credited:
        conn.execute(
            update(alert_table)
            .where(alert_table.c.id == bindparam("b_id"))
            .values(outcome=AlertOutcome.ENGAGED, outcome_at=bindparam("b_at")),
            credited,
        )
