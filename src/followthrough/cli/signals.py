"""`followthrough signals …`: the signals the app logs by itself (the mailbox, the calendar,
mail rules), taking back one it matched to the wrong lead, and the rules that read tools'
notification mail.

    followthrough signals not-this-lead EVENT    # take it back; never match that way again
    followthrough signals auto LEAD off          # keep a lead out of automatic matching
    followthrough signals rules [--json]         # the notification rules, in the order tried
    followthrough signals rules add NAME --sender @docsend.com --pattern "{name} viewed {title}"
                                         --kind proposal_viewed
    followthrough signals rules remove|enable|disable NAME;  signals rules reset
    followthrough signals test "Dana Reyes viewed Proposal" --from no-reply@docsend.com
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase, nothing_to_prepare
from followthrough.domain.signalrules import RULE_KINDS
from followthrough.errors import InvalidData

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.domain.signalrules import SignalRule
    from followthrough.services.signalrules import Trial
    from followthrough.store.db import Database

_SWITCH = {"on": True, "off": False}


def run_signals(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    if args.signals_command == "not-this-lead":
        return _not_this_lead(db, args, now)
    if args.signals_command == "rules":
        return _rules(db, args, now)
    if args.signals_command == "test":
        return _test(db, args)
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


def _rules(db: Database, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.domain.signalrules import SignalRule
    from followthrough.services import signalrules

    action = args.rules_command
    if action == "add":
        rule = SignalRule.create(args.name, args.sender, args.pattern, args.kind)
        rules = signalrules.add_rule(db, rule, now)
        said = f"Added the rule “{rule.name}”; it is tried after the others."
    elif action == "remove":
        rules = signalrules.remove_rule(db, args.name, now)
        said = f"Removed the rule “{args.name.strip()}”."
    elif action in ("enable", "disable"):
        rules = signalrules.set_enabled(db, args.name, action == "enable", now)
        said = f"The rule “{args.name.strip()}” is {'on' if action == 'enable' else 'off'}."
    elif action == "reset":
        rules = signalrules.reset_rules(db, now)
        said = f"Back to the {len(rules)} rules the app ships with."
    else:
        rules = signalrules.list_rules(db)
        return output.emit(args, {"rules": [r.to_json() for r in rules]}, _rules_text(rules))
    return output.say(args, {"rules": [r.to_json() for r in rules]}, said)


def _rules_text(rules: tuple[SignalRule, ...]) -> str:
    if not rules:
        return "No signal rules (bring back the shipped ones: followthrough signals rules reset)."
    rows = [[r.name, r.sender, r.pattern, r.kind.value, "on" if r.enabled else "off"]
            for r in rules]  # fmt: skip
    return output.aligned(["NAME", "SENDER", "PATTERN", "KIND", "ON"], rows, limit=60)


def _test(db: Database, args: argparse.Namespace) -> int:
    from followthrough.services.signalrules import try_rule

    trial = try_rule(db, args.subject, args.sender, args.reply_to)
    return output.say(args, trial.to_json(), _trial_text(trial))


def _trial_text(trial: Trial) -> str:
    if trial.rule is None:
        return f"Nothing would be logged: {trial.why}."
    kind = trial.rule.kind.value.replace("_", " ")
    if trial.why:
        return (
            f"The rule “{trial.rule.name}” matches ({kind}), but nothing would be logged: "
            f"{trial.why}."
        )
    return f"The rule “{trial.rule.name}” would log {kind} for {trial.lead_name}."


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
    _declare_rules(actions)
    q = actions.add_parser(
        "test",
        help="what a notification mail would log, and for which lead (or why nothing)",
    )
    q.add_argument("subject", metavar="SUBJECT")
    q.add_argument("--from", dest="sender", required=True, metavar="ADDRESS",
                   help="the address the mail comes from")  # fmt: skip
    q.add_argument("--reply-to", metavar="ADDRESS", help="its Reply-To address, if any")
    q.add_argument("--json", action="store_true", help="print JSON only")


def _declare_rules(actions: Any) -> None:
    words = "the rules that read tools' notification mail (proposal viewed, meeting booked…)"
    p = actions.add_parser("rules", help=words, description=words)
    p.add_argument("--json", action="store_true", help="print JSON only")
    kinds = ", ".join(k.value for k in RULE_KINDS)
    rules = p.add_subparsers(dest="rules_command", metavar="ACTION", required=False,
                             parser_class=type(p))  # fmt: skip
    q = rules.add_parser("add", help="add a rule, tried after the others")
    q.add_argument("name", metavar="NAME")
    q.add_argument("--sender", required=True, help="an address, or a domain: @docsend.com")
    q.add_argument("--pattern", required=True,
                   help="the subject, with {name} {company} {title} {any}")  # fmt: skip
    q.add_argument("--kind", required=True, help=f"the signal it logs: {kinds}")
    for action, helped in (("remove", "delete a rule"), ("enable", "turn a rule on"),
                           ("disable", "turn a rule off")):  # fmt: skip
        q = rules.add_parser(action, help=helped)
        q.add_argument("name", metavar="NAME")
    rules.add_parser("reset", help="back to the rules the app ships with")
    for q in rules.choices.values():
        # Before or after the action alike: SUPPRESS keeps an action's own parse from
        # resetting a --json given before it.
        q.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print JSON only")  # fmt: skip
