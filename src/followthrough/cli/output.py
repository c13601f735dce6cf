"""How the CLI shows things: JSON for scripts, aligned text in local time for people."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from followthrough.cli.termsafe import one_line, print_json, print_text, terminal_safe
from followthrough.cli.termwidth import Cell, display_width
from followthrough.domain.alerts import AlertStatus
from followthrough.domain.dates import calendar_day, clock_time, day_words, same_year
from followthrough.domain.provenance import source_of
from followthrough.domain.signals import EventKind
from followthrough.services.clock import local_zone

if TYPE_CHECKING:
    # Imported with the services when a command runs, not when `--help` is asked for.
    from followthrough.services.archive import ArchivedLead, ArchivePage
    from followthrough.services.readmodels import AlertView, EventView, LeadDetail, LeadView


def emit(args: argparse.Namespace, data: Any, text: str) -> int:
    """A command's answer: `data` as JSON with --json, else `text` for people."""
    if args.json:
        print_json(data)
    else:
        print_text(text)
    return 0


def say(args: argparse.Namespace, data: Any, sentence: str) -> int:
    """Like emit, for a one-line answer: a name in it must not start a line of its own."""
    return emit(args, data, one_line(sentence))


def iso_local(moment: datetime | None) -> str | None:
    """ISO 8601 in the user's local zone, with its offset; None stays None."""
    return moment.astimezone().isoformat(timespec="seconds") if moment else None


def lead_json(lead: LeadView) -> dict[str, Any]:
    return {
        "id": lead.id,
        "name": lead.name,
        "company": lead.company,
        "email": lead.email,
        "phone": lead.phone,
        "title": lead.title,
        "state": lead.state.value,
        "state_since": iso_local(lead.state_since),
        "next_step": lead.next_step,
        "next_step_due": iso_local(lead.next_step_due),
        "recycle_until": iso_local(lead.recycle_until),
        "recycle_reason": lead.recycle_reason,
        "last_outbound_at": iso_local(lead.last_outbound_at),
        "last_inbound_at": iso_local(lead.last_inbound_at),
        "unanswered": lead.unanswered,
        "tags": list(lead.tags),
        "created_at": iso_local(lead.created_at),
        "updated_at": iso_local(lead.updated_at),
        "momentum": None if lead.momentum is None else round(lead.momentum, 1),
        "open_alerts": lead.open_alerts,
    }


def alert_json(alert: AlertView) -> dict[str, Any]:
    return {
        "id": alert.id,
        "lead_id": alert.lead_id,
        "lead_name": alert.lead_name,
        "rule": alert.rule,
        "kind": alert.kind.value,
        "reason": alert.reason,
        "intent": None if alert.intent is None else alert.intent.value,
        "status": alert.status.value,
        "raised_at": iso_local(alert.raised_at),
        "due_at": iso_local(alert.due_at),
        "snoozed_until": iso_local(alert.snoozed_until),
        "resolved_at": iso_local(alert.resolved_at),
        "outcome": alert.outcome,
    }


def alert_lines(alerts: list[AlertView], now: datetime) -> str:
    if not alerts:
        return "Nothing needs you right now."
    lines = []
    for alert in alerts:
        status = "" if alert.status is AlertStatus.OPEN else f" [{alert.status}]"
        if alert.snoozed_until:
            status = f" [snoozed until {when_text(alert.snoozed_until, now)}]"
        intent = f" → {alert.intent.replace('_', ' ')}" if alert.intent else ""
        # One line each: a name with a line break must not pass for another alert.
        lines.append(one_line(f"#{alert.id:<5}{alert.lead_name} · {alert.rule}{intent}{status}"))
        lines.append(f"       {one_line(alert.reason)}")
    return "\n".join(lines)


def event_json(event: EventView) -> dict[str, Any]:
    return {
        "id": event.id,
        "lead_id": event.lead_id,
        "at": iso_local(event.at),
        "kind": event.kind,
        "direction": event.direction,
        "channel": event.channel,
        "note": event.text,
        "source": source_of(event.payload).value,  # typed, mail, calendar, mail_rule
        "payload": event.payload,
    }


def detail_json(detail: LeadDetail) -> dict[str, Any]:
    return {**lead_json(detail.lead), "timeline": [event_json(e) for e in detail.timeline]}


def when_text(moment: datetime | None, now: datetime | None = None) -> str:
    """'Tue 25 Nov 09:00', with the year when it is not this year's."""
    if moment is None:
        return "—"
    zone = local_zone()
    year = not same_year(moment, now or datetime.now(zone), zone)
    day = day_words(calendar_day(moment, zone), year=year, padded=True)
    return f"{day} {clock_time(moment, zone)}"


def _table(header: list[str], rows: list[list[str]], limits: list[int]) -> str:
    """Aligned columns, each as wide as its widest cell up to its limit (then cut with …)."""
    # Measured and cut in terminal columns, once each cell is on one line with its escapes.
    cells = [[Cell(text) for text in row] for row in [header, *rows]]
    widths = [min(limit, max(row[i].width for row in cells)) for i, limit in enumerate(limits)]
    lines = ["  ".join(cell.fit(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]  # fmt: skip
    return "\n".join(lines)


def aligned(header: list[str], rows: list[list[str]], limit: int = 40) -> str:
    """A table of text cells, each column as wide as it needs up to `limit` columns."""
    return _table(header, rows, [limit] * len(header))


def lead_table(leads: list[LeadView], now: datetime) -> str:
    if not leads:
        return "No leads."
    header = ["ID", "STATE", "NAME", "COMPANY", "NEXT STEP", "DUE"]
    rows = [
        [
            str(lead.id),
            lead.state.label,
            lead.name,
            lead.company or "",
            lead.next_step or "",
            _due_text(lead, now),
        ]
        for lead in leads
    ]
    return _table(header, rows, [6, 8, 28, 22, 36, 24])


def archived_json(item: ArchivedLead) -> dict[str, Any]:
    return {**lead_json(item.lead), "reason": item.reason}


def archive_counts(page: ArchivePage) -> str:
    """'12 won · 30 lost'."""
    return f"{page.won:,} won · {page.lost:,} lost"


def archive_table(page: ArchivePage, now: datetime, searched: bool) -> str:
    if not page.leads:
        return "No won or lost lead matches." if searched else "Nothing won or lost yet."
    header = ["ID", "STATE", "NAME", "COMPANY", "SINCE", "REASON"]
    rows = [
        [
            str(item.lead.id),
            item.state.label,
            item.lead.name,
            item.lead.company or "",
            when_text(item.state_since, now),
            " ".join((item.reason or "").split()),  # one line, whatever was typed
        ]
        for item in page.leads
    ]
    return _table(header, rows, [6, 5, 28, 22, 22, 48]) + "\n" + archive_counts(page)


def _due_text(lead: LeadView, now: datetime) -> str:
    if lead.state.value == "recycle" and lead.recycle_until:
        return "back " + when_text(lead.recycle_until, now)
    if lead.next_step_due is None:
        return ""
    overdue = " (overdue)" if lead.next_step_due < now else ""
    return when_text(lead.next_step_due, now) + overdue


def detail_text(detail: LeadDetail, now: datetime) -> str:
    lead = detail.lead
    lines = [one_line(lead.label)]

    def field(label: str, value: str | None) -> None:
        if value:
            lines.append(f"  {label:<12}{one_line(value)}")

    field("State", f"{lead.state.label} since {when_text(lead.state_since, now)}")
    if lead.momentum is not None:
        field("Momentum", f"{lead.momentum:.0f}/100")
    if lead.open_alerts:
        field("Alerts", f"{lead.open_alerts} open (followthrough alerts)")
    field("E-mail", lead.email)
    field("Phone", lead.phone)
    field("Title", lead.title)
    field("Tags", ", ".join(lead.tags))
    if lead.next_step:
        field(
            "Next step",
            lead.next_step + (f" — due {_due_text(lead, now)}" if lead.next_step_due else ""),
        )
    elif lead.state.on_board and lead.state.value != "recycle":
        field("Next step", "none set")
    if lead.recycle_until:
        why = f" — {lead.recycle_reason}" if lead.recycle_reason else ""
        field("Come back", when_text(lead.recycle_until, now) + why)
    if lead.last_outbound_at:
        field(
            "Last touch", f"{when_text(lead.last_outbound_at, now)} ({lead.unanswered} unanswered)"
        )
    if lead.last_inbound_at:
        field("Buyer last", when_text(lead.last_inbound_at, now))
    lines.append("")
    lines.append("Timeline, newest first:" if detail.timeline else "Timeline: empty")
    for event in detail.timeline:
        line = f"  {when_text(event.at, now):<20}{one_line(_event_text(event))}"
        if event.text:
            # A note keeps its line breaks (escaped otherwise), each line under the first.
            line += ": "
            indent = "\n" + " " * display_width(line)
            line += terminal_safe(event.text).replace("\n", indent)
        lines.append(line)
    return "\n".join(lines)


def _event_text(event: EventView) -> str:
    if event.kind == EventKind.STATE_CHANGE:
        target = str(event.payload.get("to", "?")).capitalize()
        source = event.payload.get("from")
        text = f"moved to {target}" if source else f"added in {target}"
    else:
        arrow = {"in": "←", "out": "→"}.get(event.direction, "·")
        text = f"{arrow} {event.kind.replace('_', ' ')}"
        if event.channel:
            text += f" ({event.channel})"
    source = source_of(event.payload)
    if source.automatic:  # logged by the app: its number, to take it back if it is not theirs
        text += f" [{source.label}, event {event.id}]"
    return text
