"""The lead commands: add, list, archive, show, edit, log, move, delete.

Each is declared next to its preparer (which checks the arguments before the database is
opened, so bad input writes nothing) and its handler (which calls one service and prints).
Services are imported by the handlers: asking for `--help` loads no database layer.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase, add_command, nothing_to_prepare, when_arg
from followthrough.domain.leadfields import TEXT_MAX, clean_optional
from followthrough.domain.leads import (
    REASON_MAX,
    LeadEdit,
    NewLead,
    check_event_time,
    check_recycle,
)
from followthrough.domain.reasons import ASKS_REASON, ReasonCategory, parse_reason_category
from followthrough.domain.signals import (
    Channel,
    SignalKind,
    parse_channel,
    parse_direction,
    parse_signal_kind,
)
from followthrough.domain.states import (
    ALL_STATES,
    ARCHIVE_STATES,
    BOARD_STATES,
    State,
    parse_state,
)
from followthrough.errors import InvalidData, UsageError

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.store.db import Database


# --- add -------------------------------------------------------------------------------


def prepare_add(args: argparse.Namespace, now: datetime) -> tuple[NewLead, datetime]:
    # With --at the lead arrives in the past: its dates are checked against that moment.
    at = when_arg(args.at, now, "--at") or now
    check_event_time(at, now)
    new = NewLead.create(
        name=args.name,
        now=at,
        company=args.company,
        email=args.email,
        phone=args.phone,
        state=parse_state(args.state, BOARD_STATES),
        next_step=args.next_step,
        next_step_due=when_arg(args.due, now, "--due"),
        recycle_until=when_arg(args.until, now, "--until"),
        recycle_reason=args.reason,
        tags=args.tag,
    )
    return new, at


def run_add(
    db: Database, args: argparse.Namespace, request: tuple[NewLead, datetime], now: datetime
) -> int:
    from followthrough.services.leads import add_lead

    new, at = request
    lead = add_lead(db, new, now, at=at)
    return output.say(args, output.lead_json(lead), f"Added {lead.label} to {lead.state.label}.")


def declare_add(sub: Subcommands) -> None:
    p = add_command(sub, "add", "add a lead", UsesDatabase(run_add, prepare_add))
    p.add_argument("name", metavar="NAME")
    p.add_argument("--company")
    p.add_argument("--email")
    p.add_argument("--phone")
    p.add_argument("--state", default="hot", help="hot (default), warm or recycle")
    p.add_argument("--next-step", metavar="TEXT")
    p.add_argument("--due", metavar="WHEN", help="when the next step is due")
    p.add_argument("--until", metavar="WHEN", help="for recycle: when to come back")
    p.add_argument("--reason", metavar="TEXT", help="for recycle: why it is parked")
    p.add_argument("--tag", action="append", default=[], metavar="T")
    p.add_argument("--at", metavar="WHEN", help="when the lead arrived (default: now)")


# --- list / archive / show -------------------------------------------------------------


def prepare_list(args: argparse.Namespace, now: datetime) -> tuple[State, ...]:
    if args.state is None:
        return BOARD_STATES
    if args.state.strip().casefold() == "all":
        return ALL_STATES
    return (parse_state(args.state),)


def run_list(
    db: Database, args: argparse.Namespace, states: tuple[State, ...], now: datetime
) -> int:
    from followthrough.services.lead_queries import list_leads

    found = list_leads(db, states, args.search, now=now, by_momentum=args.by_momentum)
    return output.emit(
        args, [output.lead_json(lead) for lead in found], output.lead_table(found, now)
    )


def declare_list(sub: Subcommands) -> None:
    handler = UsesDatabase(run_list, prepare_list, reads=True)
    p = add_command(sub, "list", "list leads (the board: hot, warm, recycle)", handler)
    p.add_argument("--state", metavar="S", help="hot, warm, recycle, won, lost or all")
    p.add_argument("--search", metavar="Q", help="part of a name, company, e-mail or tag")
    p.add_argument("--by-momentum", action="store_true", help="strongest momentum first")


def run_archive(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    from followthrough.services.archive import load_archive

    # Every match in one read, so the rows and the "12 won · 30 lost" line agree.
    page = load_archive(db, args.search, limit=None)
    searched = bool((args.search or "").strip())
    data = [output.archived_json(item) for item in page.leads]
    return output.emit(args, data, output.archive_table(page, now, searched))


def declare_archive(sub: Subcommands) -> None:
    handler = UsesDatabase(run_archive, nothing_to_prepare, reads=True)
    p = add_command(
        sub, "archive", "list won and lost leads, newest first, with their reasons", handler
    )
    p.add_argument("--search", metavar="Q", help="part of a name, company, e-mail or tag")


def run_show(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    from followthrough.services.lead_queries import get_lead, resolve_lead

    detail = get_lead(db, resolve_lead(db, args.lead).id)
    return output.emit(args, output.detail_json(detail), output.detail_text(detail, now))


def declare_show(sub: Subcommands) -> None:
    handler = UsesDatabase(run_show, nothing_to_prepare, reads=True)
    p = add_command(sub, "show", "show a lead with its timeline", handler)
    p.add_argument("lead", metavar="LEAD")


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
        next_step_due=when_arg(args.due, now, "--due"),
    )
    if edit.is_empty:
        raise UsageError("nothing to change: give at least one field, e.g. --next-step")
    return edit


def run_edit(db: Database, args: argparse.Namespace, edit: LeadEdit, now: datetime) -> int:
    from followthrough.services.lead_queries import resolve_lead
    from followthrough.services.leads import edit_lead

    lead = resolve_lead(db, args.lead)
    lead = edit_lead(db, lead.id, edit, now)
    return output.say(args, output.lead_json(lead), f"Updated {lead.label}.")


def declare_edit(sub: Subcommands) -> None:
    handler = UsesDatabase(run_edit, prepare_edit)
    p = add_command(sub, "edit", "change a lead's fields ('' clears one)", handler)
    p.add_argument("lead", metavar="LEAD")
    for flag in ("--name", "--company", "--email", "--phone", "--title"):
        p.add_argument(flag)
    p.add_argument("--next-step", metavar="TEXT")
    p.add_argument("--due", metavar="WHEN")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="add a tag")
    p.add_argument("--untag", action="append", default=[], metavar="T", help="remove a tag")


# --- log -------------------------------------------------------------------------------


def prepare_log(args: argparse.Namespace, now: datetime) -> dict[str, Any]:
    at = when_arg(args.at, now, "--at")
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
    from followthrough.services.lead_queries import get_lead, resolve_lead
    from followthrough.services.leads import log_event

    lead = resolve_lead(db, args.lead)
    event = log_event(db, lead.id, now=now, **request)
    lead = get_lead(db, lead.id).lead
    waiting = f"; {lead.unanswered} unanswered" if lead.unanswered else ""
    text = f"Logged {event.kind.replace('_', ' ')} for {lead.label}{waiting}."
    return output.say(
        args, {"event": output.event_json(event), "lead": output.lead_json(lead)}, text
    )


def declare_log(sub: Subcommands) -> None:
    kinds = ", ".join(k.value for k in SignalKind)
    p = add_command(sub, "log", f"log what happened: {kinds}", UsesDatabase(run_log, prepare_log))
    p.add_argument("lead", metavar="LEAD")
    p.add_argument("kind", metavar="KIND")
    p.add_argument("--at", metavar="WHEN", help="when it happened (default: now)")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--channel", help="|".join(c.value for c in Channel))
    p.add_argument("--direction", help="in or out (default depends on KIND)")


# --- move ------------------------------------------------------------------------------

REASONED_STATES = (State.RECYCLE, *ARCHIVE_STATES)
CATEGORY_CHOICES = ", ".join(category.value for category in ReasonCategory)


def prepare_move(args: argparse.Namespace, now: datetime) -> dict[str, Any]:
    state = parse_state(args.state)
    at = when_arg(args.at, now, "--at") or now
    check_event_time(at, now)
    until = when_arg(args.until, now, "--until")
    if state is State.RECYCLE:
        check_recycle(until, at)
    elif until is not None:
        raise InvalidData("--until only applies to a move to recycle", "until")
    # Why a lead was parked, won or lost is worth keeping; a move between columns is not.
    if args.reason and state not in REASONED_STATES:
        raise InvalidData("--reason only applies to a move to recycle, won or lost", "reason")
    category = None if args.category is None else parse_reason_category(args.category)
    if category is not None and state not in ASKS_REASON:
        raise InvalidData("--category only applies to a move to recycle or lost", "category")
    return {
        "state": state,
        "until": until,
        "reason": clean_optional(args.reason, "reason", REASON_MAX),
        "category": category,
        "at": at,
    }


def run_move(db: Database, args: argparse.Namespace, request: dict[str, Any], now: datetime) -> int:
    from followthrough.services.lead_queries import resolve_lead
    from followthrough.services.leads import move_lead

    lead = resolve_lead(db, args.lead)
    lead = move_lead(db, lead.id, now=now, **request)
    back = f" until {output.when_text(lead.recycle_until, now)}" if lead.recycle_until else ""
    said = output.lead_json(lead)
    if lead.state in ASKS_REASON:
        from followthrough.services.feedback import reason_category

        # The category as stored: the one given, or the usual one for such a move.
        category = reason_category(db, lead.id)
        said["reason_category"] = None if category is None else category.value
    return output.say(args, said, f"{lead.label} is in {lead.state.label}{back}.")


def declare_move(sub: Subcommands) -> None:
    handler = UsesDatabase(run_move, prepare_move)
    p = add_command(sub, "move", "move a lead to hot, warm, recycle, won or lost", handler)
    p.add_argument("lead", metavar="LEAD")
    p.add_argument("state", metavar="STATE")
    p.add_argument("--until", metavar="WHEN", help="for recycle: when to come back (required)")
    p.add_argument("--reason", metavar="TEXT", help="for recycle, won or lost: why")
    p.add_argument(
        "--category",
        metavar="CATEGORY",
        help=f"for recycle or lost: why, in a word ({CATEGORY_CHOICES}; default: the usual "
        "one, went_silent after the guard's unanswered touches, else timing or no_decision)",
    )
    p.add_argument("--at", metavar="WHEN", help="when it changed (default: now)")


# --- delete ----------------------------------------------------------------------------


def prepare_delete(args: argparse.Namespace, now: datetime) -> None:
    if not args.yes:
        raise UsageError("delete removes the lead and its whole history: add --yes to confirm")


def run_delete(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    from followthrough.services.lead_queries import resolve_lead
    from followthrough.services.leads import delete_lead

    lead = resolve_lead(db, args.lead)
    gone = delete_lead(db, lead.id)
    return output.say(args, output.lead_json(gone), f"Deleted {gone.label} and its history.")


def declare_delete(sub: Subcommands) -> None:
    handler = UsesDatabase(run_delete, prepare_delete)
    p = add_command(sub, "delete", "delete a lead and its whole history", handler)
    p.add_argument("lead", metavar="LEAD")
    p.add_argument("--yes", action="store_true", help="confirm the deletion")


def declare(sub: Subcommands) -> None:
    """The lead commands, in the order `--help` lists them."""
    for declare_one in (
        declare_add,
        declare_list,
        declare_archive,
        declare_show,
        declare_edit,
        declare_log,
        declare_move,
        declare_delete,
    ):
        declare_one(sub)
