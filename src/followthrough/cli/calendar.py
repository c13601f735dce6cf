"""CLI commands for the calendar: `calendar set-url | set-account | test | check | forget`.

A calendar is read from its private address (set-url) or from a CalDAV account
(set-account SERVER --user USER: Fastmail, iCloud, Nextcloud, Radicale…), one at a time.
The private address and the account's password are read from a prompt or one line of
stdin, never from an argument: they open the calendar, and arguments show in `ps` and in
shell history. Both are kept only in the system keyring.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
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
                       description="read meetings with leads from your calendar: its private "
                       "address or a CalDAV account; the address or the account's password is "
                       "kept only in the system keyring")  # fmt: skip
    p.set_defaults(handler=UsesDatabase(run_calendar, prepare_calendar))
    actions = p.add_subparsers(dest="calendar_command", metavar="ACTION", required=True,
                               parser_class=type(p))  # fmt: skip
    actions.add_parser(
        "set-url",
        help="read the calendar at its private address (asked for, or one line of stdin)",
    )
    account = actions.add_parser(
        "set-account",
        help="read the calendars of a CalDAV account (password asked for, or one line of stdin)",
    )
    account.add_argument("server", metavar="SERVER",
                         help="the CalDAV server's address, like caldav.fastmail.com")  # fmt: skip
    account.add_argument("--user", required=True, help="the user name you log in with")
    actions.add_parser("test", help="log in and list the calendars found (no event is read)")
    actions.add_parser("check", help="read the calendar once and print what was logged")
    actions.add_parser(
        "forget", help="remove the calendar's address or account (meetings logged stay)"
    )
    for action in actions.choices.values():
        action.add_argument("--json", action="store_true", help="print JSON only")


@dataclass(frozen=True)
class Account:
    server: str
    user: str
    password: str = field(repr=False)


Request = str | Account | None  # set-url: the address; set-account: the account


def prepare_calendar(args: argparse.Namespace, now: datetime) -> Request:
    from followthrough.domain.calendarsource import (
        parse_caldav_server,
        parse_caldav_user,
        parse_calendar_url,
    )
    from followthrough.services.secrets import require_safe_keyring

    if args.calendar_command == "set-url":
        require_safe_keyring()  # before the prompt: nobody should type what cannot be kept
        return parse_calendar_url(read_password("The calendar's private address: "))
    if args.calendar_command == "set-account":
        server, user = parse_caldav_server(args.server), parse_caldav_user(args.user)
        require_safe_keyring()
        return Account(server, user, read_password(f"Password for {user} at {server}: "))
    return None


def run_calendar(db: Database, args: argparse.Namespace, request: Request, now: datetime) -> int:
    from followthrough.domain.calendarsource import shown_url
    from followthrough.services.calendar import watch

    if args.calendar_command == "set-url":
        assert isinstance(request, str)
        watch.set_calendar_url(db, request, now)
        sentence = f"The calendar at {shown_url(request)} is read from now on."
        return output.say(args, {"calendar": shown_url(request)}, sentence)
    if args.calendar_command == "set-account":
        assert isinstance(request, Account)
        watch.set_calendar_account(db, request.server, request.user, request.password, now)
        sentence = (
            f"The calendars of {request.user} at {request.server} are read from now on "
            "(try them: followthrough calendar test)."
        )
        return output.say(args, {"server": request.server, "user": request.user}, sentence)
    if args.calendar_command == "test":
        names = watch.test_calendar(db)
        lines = [f"Calendars found: {len(names)}"] + [one_line(n) for n in names]
        return output.emit(args, {"calendars": names}, "\n".join(lines))
    if args.calendar_command == "forget":
        kind = (watch.calendar_state(db) or {}).get("kind")
        had = watch.forget_calendar(db)
        gone = "account" if kind == "caldav" else "address"
        sentence = f"The calendar's {gone} was removed." if had else "No calendar was set."
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
        lines.append(
            f"{_count(done.occurrences, 'meeting')} with leads read, "
            f"{_count(len(rows), 'step')} logged."
        )
    if done.asked:
        lines.append(f"{done.asked} ended meetings to answer: did they happen? (Today list)")
    return output.emit(args, data, "\n".join(lines))


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"
