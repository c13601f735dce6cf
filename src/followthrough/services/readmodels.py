"""Plain, immutable views of stored records: what the CLI and UI are given, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from followthrough.domain.alerts import AlertKind, AlertStatus, Intent
from followthrough.domain.states import State

if TYPE_CHECKING:  # the views are read without the ORM too (services/board_rows.py)
    from followthrough.store.models import Alert, Event, Lead


@dataclass(frozen=True)
class LeadView:
    id: int
    name: str
    company: str | None
    email: str | None
    phone: str | None
    title: str | None
    state: State
    state_since: datetime
    decision: str | None
    next_step: str | None
    next_step_due: datetime | None
    recycle_until: datetime | None
    recycle_reason: str | None
    last_outbound_at: datetime | None
    last_inbound_at: datetime | None
    unanswered: int
    tags: tuple[str, ...]
    next_check_at: datetime | None
    created_at: datetime
    updated_at: datetime
    momentum: float | None = None  # as of the moment the view was read
    open_alerts: int = 0

    @classmethod
    def of(cls, row: Lead, momentum: float | None = None, open_alerts: int = 0) -> LeadView:
        assert row.id is not None
        return cls(
            id=row.id,
            name=row.name,
            company=row.company,
            email=row.email,
            phone=row.phone,
            title=row.title,
            state=State(row.state),
            state_since=row.state_since,
            decision=row.decision,
            next_step=row.next_step,
            next_step_due=row.next_step_due,
            recycle_until=row.recycle_until,
            recycle_reason=row.recycle_reason,
            last_outbound_at=row.last_outbound_at,
            last_inbound_at=row.last_inbound_at,
            unanswered=row.unanswered,
            tags=tuple(row.tags),
            next_check_at=row.next_check_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            momentum=momentum,
            open_alerts=open_alerts,
        )

    @property
    def label(self) -> str:
        """How a lead is named in one line: '#12 Ana Silva (Acme)'."""
        company = f" ({self.company})" if self.company else ""
        return f"#{self.id} {self.name}{company}"


@dataclass(frozen=True)
class EventView:
    id: int
    lead_id: int
    at: datetime
    kind: str
    direction: str
    channel: str | None
    text: str | None
    payload: dict[str, Any]

    @classmethod
    def of(cls, row: Event) -> EventView:
        assert row.id is not None
        return cls(
            id=row.id,
            lead_id=row.lead_id,
            at=row.at,
            kind=row.kind,
            direction=row.direction,
            channel=row.channel,
            text=row.text,
            payload=dict(row.payload),
        )


@dataclass(frozen=True)
class LeadDetail:
    lead: LeadView
    timeline: tuple[EventView, ...]  # newest first


@dataclass(frozen=True)
class AlertView:
    id: int
    lead_id: int
    lead_name: str
    rule: str  # an AlertRule's text, or the name an earlier version gave its rule
    kind: AlertKind
    reason: str
    intent: Intent | None
    status: AlertStatus
    raised_at: datetime
    due_at: datetime | None
    snoozed_until: datetime | None
    resolved_at: datetime | None
    outcome: str | None

    @classmethod
    def stored(cls, **columns: Any) -> AlertView:
        """The view of an alert's stored columns (plain text), its words read as members."""
        intent = columns.pop("intent")
        return cls(
            **columns
            | {"kind": AlertKind(columns["kind"]), "status": AlertStatus(columns["status"])},
            intent=None if intent is None else Intent(intent),
        )

    @classmethod
    def of(cls, alert: Alert, lead_name: str) -> AlertView:
        assert alert.id is not None
        return cls(
            id=alert.id,
            lead_id=alert.lead_id,
            lead_name=lead_name,
            rule=alert.rule,
            kind=AlertKind(alert.kind),
            reason=alert.reason,
            intent=None if alert.intent is None else Intent(alert.intent),
            status=AlertStatus(alert.status),
            raised_at=alert.raised_at,
            due_at=alert.due_at,
            snoozed_until=alert.snoozed_until,
            resolved_at=alert.resolved_at,
            outcome=alert.outcome,
        )
