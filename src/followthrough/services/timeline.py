"""A lead's history in one list: what happened (events) and what the app raised (alerts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from followthrough.domain.alerts import AlertOutcome, AlertStatus
from followthrough.domain.provenance import SignalSource, source_of
from followthrough.domain.signals import Direction, EventKind, SignalKind
from followthrough.domain.states import State
from followthrough.errors import NotFound
from followthrough.services.clock import utcnow
from followthrough.services.lead_queries import lead_views
from followthrough.services.readmodels import LeadView
from followthrough.store.db import Database
from followthrough.store.models import Alert, Event, Lead

ALERT_RAISED = "alert_raised"
_RESOLVED_WORDS: dict[str, str] = {
    AlertStatus.DONE: "done",
    AlertStatus.DISMISSED: "dismissed",
    AlertStatus.CLEARED: "cleared",
}
_OUTCOME_WORDS: dict[str, str] = {AlertOutcome.ENGAGED: "the buyer engaged afterwards"}

# At one moment, an alert raised by an event reads after it, and its resolution after that.
_EVENT, _RAISED, _RESOLVED = 0, 1, 2
_SIGNALS = frozenset(kind.value for kind in SignalKind)


@dataclass(frozen=True)
class TimelineItem:
    at: datetime  # UTC
    kind: str  # an event kind, or alert_raised / alert_done / alert_dismissed / alert_cleared
    label: str  # "Replied", "Moved to Warm", "Silence alert"
    text: str | None  # one line
    direction: str  # in / out / none
    channel: str | None = None
    alert_id: int | None = None  # set on entries that come from an alert
    event_id: int | None = None  # set on entries that come from an event
    source: SignalSource = SignalSource.TYPED  # where an event came from (domain/provenance)


@dataclass(frozen=True)
class LeadTimeline:
    lead: LeadView
    entries: tuple[TimelineItem, ...]  # newest first


def lead_timeline(db: Database, lead_id: int, now: datetime | None = None) -> LeadTimeline:
    with db.read() as session:
        return read_timeline(session, lead_id, now or utcnow())


def read_timeline(session: Session, lead_id: int, now: datetime) -> LeadTimeline:
    """`lead_timeline` in the caller's transaction (the main window's one read)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead with id {lead_id}")
    events = session.exec(select(Event).where(Event.lead_id == lead_id)).all()
    raised = session.exec(select(Alert).where(Alert.lead_id == lead_id)).all()
    view = lead_views(session, [lead], now)[0]
    ranked: list[tuple[datetime, int, int, TimelineItem]] = []
    for event in events:
        assert event.id is not None
        ranked.append((event.at, _EVENT, event.id, _event_item(event)))
    for alert in raised:
        assert alert.id is not None
        ranked.append((alert.raised_at, _RAISED, alert.id, _raised_item(alert)))
        if alert.resolved_at is not None:
            ranked.append((alert.resolved_at, _RESOLVED, alert.id, _resolved_item(alert)))
    ranked.sort(key=lambda row: row[:3], reverse=True)
    return LeadTimeline(view, tuple(row[3] for row in ranked))


def _one_line(text: str | None) -> str | None:
    line = " ".join((text or "").split())
    return line or None


def _event_label(kind: str, payload: dict[str, Any]) -> str:
    if kind == EventKind.STATE_CHANGE:
        target = State(payload["to"]).label
        return f"Added to {target}" if payload.get("from") is None else f"Moved to {target}"
    if kind == EventKind.DRAFT_COPIED:
        return "Draft copied"
    if kind in _SIGNALS:
        return SignalKind(kind).label
    return kind.replace("_", " ").capitalize()


def _event_item(event: Event) -> TimelineItem:
    return TimelineItem(
        at=event.at,
        kind=event.kind,
        label=_event_label(event.kind, event.payload),
        text=_one_line(event.text),
        direction=event.direction,
        channel=event.channel,
        event_id=event.id,
        source=source_of(event.payload),
    )


def _rule_words(alert: Alert) -> str:
    return alert.rule.replace("_", " ").capitalize()


def _raised_item(alert: Alert) -> TimelineItem:
    return TimelineItem(
        at=alert.raised_at,
        kind=ALERT_RAISED,
        label=f"{_rule_words(alert)} alert",
        text=_one_line(alert.reason),
        direction=Direction.NONE,
        alert_id=alert.id,
    )


def _resolved_item(alert: Alert) -> TimelineItem:
    assert alert.resolved_at is not None
    status = _RESOLVED_WORDS.get(alert.status, alert.status)
    return TimelineItem(
        at=alert.resolved_at,
        kind=f"alert_{alert.status}",
        label=f"{_rule_words(alert)} alert {status}",
        text=_OUTCOME_WORDS.get(alert.outcome or ""),
        direction=Direction.NONE,
        alert_id=alert.id,
    )
