"""What each CLI command does: a pure *preparer* checks the arguments before the database
is opened (so bad input writes nothing), then a *handler* calls one service and prints."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from followthrough import clidrafting, cliexport, clifmt, cliimport, climail, clipolicy
from followthrough.domain.bounds import record_id
from followthrough.domain.leadfields import TEXT_MAX, clean_optional
from followthrough.domain.leads import (
    REASON_MAX,
    LeadEdit,
    NewLead,
    check_event_time,
    check_recycle,
)
from followthrough.domain.signals import parse_channel, parse_direction, parse_signal_kind
from followthrough.domain.states import (
    ALL_STATES,
    ARCHIVE_STATES,
    BOARD_STATES,
    State,
    parse_state,
)
from followthrough.domain.when import parse_when
from followthrough.errors import InvalidData, UsageError
from followthrough.paths import DataPaths
from followthrough.services import alerts, archive, backups, lead_queries, leads
from followthrough.store.db import Database
from followthrough.termsafe import one_line, print_error, print_json, print_text

Preparer = Callable[[argparse.Namespace, datetime], Any]
Handler = Callable[[Database, argparse.Namespace, Any, datetime], int]


def _when(text: str | None, now: datetime, flag: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_when(text, now)
    except InvalidData as exc:
        raise InvalidData(f"{flag}: {exc}", exc.field) from None


def _emit(args: argparse.Namespace, data: Any, text: str) -> int:
    if args.json:
        print_json(data)
    else:
        print_text(text)
    return 0


def _say(args: argparse.Namespace, data: Any, sentence: str) -> int:
    """Like _emit, for a one-line answer: a name in it must not start a line of its own."""
    return _emit(args, data, one_line(sentence))


# --- add -------------------------------------------------------------------------------


def prepare_add(args: argparse.Namespace, now: datetime) -> tuple[NewLead, datetime]:
    # With --at the lead arrives in the past: its dates are checked against that moment.
    at = _when(args.at, now, "--at") or now
    check_event_time(at, now)
    new = NewLead.create(
        name=args.name,
        now=at,
        company=args.company,
        email=args.email,
        phone=args.phone,
        state=parse_state(args.state, BOARD_STATES),
        next_step=args.next_step,
        next_step_due=_when(args.due, now, "--due"),
        recycle_until=_when(args.until, now, "--until"),
        recycle_reason=args.reason,
        tags=args.tag,
    )
    return new, at


def run_add(
    db: Database, args: argparse.Namespace, request: tuple[NewLead, datetime], now: datetime
) -> int:
    new, at = request
    lead = leads.add_lead(db, new, now, at=at)
    return _say(args, clifmt.lead_json(lead), f"Added {lead.label} to {lead.state.label}.")


# --- list / show -----------------------------------------------------------------------


def prepare_list(args: argparse.Namespace, now: datetime) -> tuple[State, ...]:
    if args.state is None:
        return BOARD_STATES
    if args.state.strip().casefold() == "all":
        return ALL_STATES
    return (parse_state(args.state),)


def run_list(
    db: Database, args: argparse.Namespace, states: tuple[State, ...], now: datetime
) -> int:
    found = lead_queries.list_leads(db, states, args.search, now=now, by_momentum=args.by_momentum)
    return _emit(args, [clifmt.lead_json(lead) for lead in found], clifmt.lead_table(found, now))


def run_archive(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    # Every match in one read, so the rows and the "12 won · 30 lost" line agree.
    page = archive.load_archive(db, args.search, limit=None)
    searched = bool((args.search or "").strip())
    data = [clifmt.archived_json(item) for item in page.leads]
    return _emit(args, data, clifmt.archive_table(page, now, searched))


def run_show(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    detail = lead_queries.get_lead(db, lead_queries.resolve_lead(db, args.lead).id)
    return _emit(args, clifmt.detail_json(detail), clifmt.detail_text(detail, now))


# --- edit ------------------------------------------------------------------------------


def prepare_edit(args: argparse.Namespace, now: datetime) -> LeadEdit:
    edit = LeadEdit.create(
        name=args.name,
        company=args.company,
        email=args.email,
        phone=args.phone,
        title=args.title,
        add_tags=args.tag,
        remove_tags=args.untag,
        next_step=args.next_step,
        next_step_due=_when(args.due, now, "--due"),
    )
    if edit.is_empty:
        raise UsageError("nothing to change: give at least one field, e.g. --next-step")
    return edit


def run_edit(db: Database, args: argparse.Namespace, edit: LeadEdit, now: datetime) -> int:
    lead = lead_queries.resolve_lead(db, args.lead)
    lead = leads.edit_lead(db, lead.id, edit, now)
    return _say(args, clifmt.lead_json(lead), f"Updated {lead.label}.")


# --- log -------------------------------------------------------------------------------


def prepare_log(args: argparse.Namespace, now: datetime) -> dict[str, Any]:
    at = _when(args.at, now, "--at")
    if at is not None:
        check_event_time(at, now)
    return {
        "kind": parse_signal_kind(args.kind),
        "at": at,
        "channel": parse_channel(args.channel) if args.channel else None,
        "direction": parse_direction(args.direction) if args.direction else None,
        "note": clean_optional(args.note, "note", TEXT_MAX),
    }


def run_log(db: Database, args: argparse.Namespace, request: dict[str, Any], now: datetime) -> int:
    lead = lead_queries.resolve_lead(db, args.lead)
    event = leads.log_event(db, lead.id, now=now, **request)
    lead = lead_queries.get_lead(db, lead.id).lead
    waiting = f"; {lead.unanswered} unanswered" if lead.unanswered else ""
    text = f"Logged {event.kind.replace('_', ' ')} for {lead.label}{waiting}."
    return _say(args, {"event": clifmt.event_json(event), "lead": clifmt.lead_json(lead)}, text)


# --- move ------------------------------------------------------------------------------

REASONED_STATES = (State.RECYCLE, *ARCHIVE_STATES)


def prepare_move(args: argparse.Namespace, now: datetime) -> dict[str, Any]:
    state = parse_state(args.state)
    at = _when(args.at, now, "--at") or now
    check_event_time(at, now)
    until = _when(args.until, now, "--until")
    if state is State.RECYCLE:
        check_recycle(until, at)
    elif until is not None:
        raise InvalidData("--until only applies to a move to recycle", "until")
    # Why a lead was parked, won or lost is worth keeping; a move between columns is not.
    if args.reason and state not in REASONED_STATES:
        raise InvalidData("--reason only applies to a move to recycle, won or lost", "reason")
    return {
        "state": state,
        "until": until,
        "reason": clean_optional(args.reason, "reason", REASON_MAX),
        "at": at,
    }


def run_move(db: Database, args: argparse.Namespace, request: dict[str, Any], now: datetime) -> int:
    lead = lead_queries.resolve_lead(db, args.lead)
    lead = leads.move_lead(db, lead.id, now=now, **request)
    back = f" until {clifmt.when_text(lead.recycle_until, now)}" if lead.recycle_until else ""
    return _say(args, clifmt.lead_json(lead), f"{lead.label} is in {lead.state.label}{back}.")


# --- delete ----------------------------------------------------------------------------


def prepare_delete(args: argparse.Namespace, now: datetime) -> None:
    if not args.yes:
        raise UsageError("delete removes the lead and its whole history: add --yes to confirm")


def run_delete(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    lead = lead_queries.resolve_lead(db, args.lead)
    gone = leads.delete_lead(db, lead.id)
    return _say(args, clifmt.lead_json(gone), f"Deleted {gone.label} and its history.")


# --- alerts ----------------------------------------------------------------------------


def run_due(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    at = _when(args.at, now, "--at") or now
    alerts.tick(db, at)
    found = alerts.list_alerts(db)
    return _emit(args, [clifmt.alert_json(a) for a in found], clifmt.alert_lines(found, at))


def run_alerts(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    found = alerts.list_alerts(db, include_resolved=args.all)
    return _emit(args, [clifmt.alert_json(a) for a in found], clifmt.alert_lines(found, now))


def _alert_id(text: str) -> int:
    alert_id = record_id(text, "alert")
    if alert_id is None:
        raise InvalidData(f"'{text}' is not an alert id (see followthrough alerts)", "alert")
    return alert_id


def prepare_snooze(args: argparse.Namespace, now: datetime) -> tuple[int, datetime, datetime]:
    at = _when(args.at, now, "--at") or now
    until = _when(args.until, now, "--until")
    assert until is not None  # argparse requires --until
    return _alert_id(args.alert), until, at


def run_snooze(
    db: Database, args: argparse.Namespace, req: tuple[int, datetime, datetime], now: datetime
) -> int:
    alert_id, until, at = req
    alert = alerts.snooze(db, alert_id, until, at)
    text = f"Snoozed #{alert.id} ({alert.lead_name}) until {clifmt.when_text(until, now)}."
    return _say(args, clifmt.alert_json(alert), text)


def prepare_resolve(args: argparse.Namespace, now: datetime) -> tuple[int, datetime]:
    return _alert_id(args.alert), _when(args.at, now, "--at") or now


def _resolver(status: str) -> Handler:
    def run(
        db: Database, args: argparse.Namespace, req: tuple[int, datetime], now: datetime
    ) -> int:
        alert = alerts.resolve(db, req[0], status, req[1])
        return _say(args, clifmt.alert_json(alert), f"#{alert.id} ({alert.lead_name}): {status}.")

    return run


# --- policy ----------------------------------------------------------------------------


# --- backups ---------------------------------------------------------------------------


def run_backup(paths: DataPaths, args: argparse.Namespace, now: datetime) -> int:
    output = Path(args.output).expanduser() if args.output else None
    # Leftovers of a killed backup go first (their space may be what this copy needs), and
    # are told of once this copy is made: a failure says one thing only, the failure.
    removed = backups.remove_unfinished(paths, output)
    made = backups.make_backup(paths, "manual", now, output)
    code = _say(args, {"path": str(made)}, f"Saved a backup: {made}")
    if removed:
        print_error(f"followthrough: {removed}")
    return code


def run_backups(paths: DataPaths, args: argparse.Namespace, now: datetime) -> int:
    found = backups.list_backups(paths)
    data = [
        {
            "path": str(b.path),
            "kind": b.kind,
            "made_at": clifmt.iso_local(b.made_at),
            "size": b.size,
        }
        for b in found
    ]
    lines = [
        f"{clifmt.when_text(b.made_at, now):<22} {b.kind:<16} {b.size / 1e6:7.1f} MB  {b.path}"
        for b in found
    ]
    return _emit(args, data, "\n".join(lines) if lines else "No backups yet.")


def run_restore(paths: DataPaths, args: argparse.Namespace, now: datetime) -> int:
    source = Path(args.file).expanduser()
    saved = backups.restore_backup(paths, source, now)
    said = f"Restored {source}." + (f" The replaced data is saved at {saved}." if saved else "")
    return _say(args, {"restored": str(source), "saved": str(saved) if saved else None}, said)


def run_doctor(paths: DataPaths, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services.doctor import run_checks

    checks = run_checks(paths)
    data = [{"check": c.name, "ok": c.ok, "detail": c.detail} for c in checks]
    lines = [f"{'ok' if c.ok else 'PROBLEM':<8}{c.name:<14}{c.detail}" for c in checks]
    _emit(args, data, "\n".join(lines))
    return 0 if all(c.ok for c in checks) else 1


FOLDER_HANDLERS: dict[str, Callable[[DataPaths, argparse.Namespace, datetime], int]] = {
    "doctor": run_doctor,
    "backup": run_backup,
    "backups": run_backups,
    "restore": run_restore,
}

PREPARERS: dict[str, Preparer] = {
    "add": prepare_add,
    "list": prepare_list,
    "edit": prepare_edit,
    "log": prepare_log,
    "move": prepare_move,
    "delete": prepare_delete,
    "snooze": prepare_snooze,
    "done": prepare_resolve,
    "dismiss": prepare_resolve,
    "policy": clipolicy.prepare_policy,
    "preferences": clipolicy.prepare_preferences,
    "draft": clidrafting.prepare_draft,
    "export": cliexport.prepare_export,
    "import": cliimport.prepare_import,
    "mail": climail.prepare_mail,
}
HANDLERS: dict[str, Handler] = {
    "add": run_add,
    "list": run_list,
    "archive": run_archive,
    "show": run_show,
    "edit": run_edit,
    "log": run_log,
    "move": run_move,
    "delete": run_delete,
    "due": run_due,
    "alerts": run_alerts,
    "snooze": run_snooze,
    "done": _resolver("done"),
    "dismiss": _resolver("dismissed"),
    "policy": clipolicy.run_policy,
    "preferences": clipolicy.run_preferences,
    "draft": clidrafting.run_draft,
    "export": cliexport.run_export,
    "import": cliimport.run_import,
    "templates": clidrafting.run_templates,
    "mail": climail.run_mail,
}
