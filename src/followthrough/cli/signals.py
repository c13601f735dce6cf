"""`followthrough signals …`: the signals the app logs by itself (the mailbox today; the
calendar and mail rules to come), and taking back one it matched to the wrong lead.

    followthrough signals not-this-lead EVENT    # take it back; never match that way again
    followthrough signals auto LEAD off          # keep a lead out of automatic matching
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase, nothing_to_prepare
from followthrough.errors import InvalidData

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.store.db import Database

_SWITCH = {"on": True, "off": False}


def run_signals(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    if args.signals_command == "not-this-lead":
        return _not_this_lead(db, args, now)
    return _auto(db, args, now)


def _not_this_lead(db: Database, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services.lead_queries import get_lead
    from followthrough.services.matching import not_this_lead

    try:
        event_id = int(args.event)
    except ValueError:
        raise InvalidData(f"'{args.event}' is not an event number", "event") from None
    taken = not_this_lead(db, event_id, now)
    lead = get_lead(db, taken.lead_id, now).lead
    what = taken.kind.replace("_", " ").capitalize()
    sentence = f"Took back “{what}” logged for {lead.label}"
    if taken.match is not None:
        _, _, matched = taken.match.partition(":")
        sentence += f"; {matched} will not match {lead.label} again"
    said = {"lead": output.lead_json(lead), "event": event_id, "kind": taken.kind,
            "match": taken.match}  # fmt: skip
    return output.say(args, said, sentence + ".")


def _auto(db: Database, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services.lead_queries import get_lead, resolve_lead
    from followthrough.services.matching import set_auto_signals

    on = _SWITCH.get(args.switch.lower())
    if on is None:
        raise InvalidData(f"say on or off, not '{args.switch}'", "switch")
    lead_id = set_auto_signals(db, resolve_lead(db, args.lead).id, on, now)
    lead = get_lead(db, lead_id, now).lead
    how = "may" if on else "will no longer"
    sentence = f"The mailbox, the calendar and mail rules {how} log signals for {lead.label}."
    return output.say(args, {"lead": output.lead_json(lead), "auto_signals": on}, sentence)


def declare(sub: Subcommands) -> None:
    words = "the signals the app logs by itself"
    p = sub.add_parser("signals", help=words, description=words)
    p.set_defaults(handler=UsesDatabase(run_signals, nothing_to_prepare))
    actions = p.add_subparsers(dest="signals_command", metavar="ACTION", required=True,
                               parser_class=type(p))  # fmt: skip
    q = actions.add_parser(
        "not-this-lead",
        help="take back a signal logged for the wrong lead (the event number from "
        "`show LEAD`); what matched it will not match that lead again",
    )
    q.add_argument("event", metavar="EVENT")
    q.add_argument("--json", action="store_true", help="print JSON only")
    q = actions.add_parser("auto", help="let the app match a lead automatically, or not")
    q.add_argument("lead", metavar="LEAD")
    q.add_argument("switch", metavar="on|off")
    q.add_argument("--json", action="store_true", help="print JSON only")
