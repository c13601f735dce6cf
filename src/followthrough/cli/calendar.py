"""CLI commands for the calendar: `calendar set-url | check | forget`.

The private address is read from a prompt or one line of stdin, never from an argument: it
is the secret that opens the calendar, and arguments show in `ps` and in shell history.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase
from followthrough.cli.mail import read_password
from followthrough.cli.termsafe import one_line

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.store.db import Database


def declare(sub: Subcommands) -> None:
    p = sub.add_parser("calendar", help="read meetings with leads from your calendar",
                       description="read meetings with leads from your calendar's private "
                       "address; the address is kept only in the system keyring")  # fmt: skip
    p.set_defaults(handler=UsesDatabase(run_calendar, prepare_calendar))
    actions = p.add_subparsers(dest="calendar_command", metavar="ACTION", required=True,
                               parser_class=type(p))  # fmt: skip
    actions.add_parser(
        "set-url",
        help="read the calendar at its private address (asked for, or one line of stdin)",
    )
    actions.add_parser("check", help="read the calendar once and print what was logged")
    actions.add_parser("forget", help="remove the calendar's address (meetings logged stay)")
    for action in actions.choices.values():
        action.add_argument("--json", action="store_true", help="print JSON only")


def prepare_calendar(args: argparse.Namespace, now: datetime) -> str | None:
    if args.calendar_command != "set-url":
        return None
    from followthrough.domain.calendarsource import parse_calendar_url
    from followthrough.services.secrets import require_safe_keyring

    require_safe_keyring()  # before the prompt: nobody should type what cannot be kept
    return parse_calendar_url(read_password("The calendar's private address: "))


def run_calendar(db: Database, args: argparse.Namespace, url: str | None, now: datetime) -> int:
    from followthrough.domain.calendarsource import shown_url
    from followthrough.services.calendar import watch

    if args.calendar_command == "set-url":
        assert url is not None
        watch.set_calendar_url(db, url, now)
        sentence = f"The calendar at {shown_url(url)} is read from now on."
        return output.say(args, {"calendar": shown_url(url)}, sentence)
    if args.calendar_command == "forget":
        had = watch.forget_calendar(db)
        sentence = "The calendar's address was removed." if had else "No calendar was set."
        return output.say(args, {"forgotten": had}, sentence)
    return _check(db, args, now)


def _check(db: Database, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services.calendar.watch import check_calendar
    from followthrough.services.clock import local_zone

    done = check_calendar(db, local_zone(), now)
    rows = [
        {
            "lead_id": m.lead_id,
            "lead": m.lead_name,
            "step": m.step.value,
            "title": m.title,
            "start": output.iso_local(m.start),
        }
        for m in done.logged
    ]
    data = {"logged": rows, "read": done.occurrences, "asked": done.asked}
    lines = [one_line(f"{r['step']}: {r['title'] or 'a meeting'} with {r['lead']}") for r in rows]
    if done.occurrences is None:
        lines.append("The calendar has not changed since it was last read.")
    else:
        lines.append(f"{done.occurrences} meetings read, {len(rows)} steps logged.")
    if done.asked:
        lines.append(f"{done.asked} ended meetings to answer: did they happen? (Today list)")
    return output.emit(args, data, "\n".join(lines))
