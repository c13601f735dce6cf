"""CLI commands for the watched mailbox: `mail set-account | test | check | forget`.

The password is read from a prompt or one line of stdin, never from an argument: arguments
show in `ps`, in shell history and in process listings of other users.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase
from followthrough.cli.output import emit
from followthrough.cli.termsafe import one_line
from followthrough.errors import InvalidData, NotFound, UsageError

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.domain.mailaccount import MailAccount
    from followthrough.services.mailwatch import PassReport
    from followthrough.store.db import Database


def declare(sub: Subcommands) -> None:
    """Declare `mail` and its actions on the main parser's subcommands."""
    p = sub.add_parser("mail", help="watch a mailbox for replies (IMAP)",
                       description="watch a mailbox for replies and sent mail (IMAP); "
                       "the password is kept only in the system keyring")  # fmt: skip
    p.set_defaults(handler=UsesDatabase(run_mail, prepare_mail))
    actions = p.add_subparsers(dest="mail_command", metavar="ACTION", required=True,
                               parser_class=type(p))  # fmt: skip
    q = actions.add_parser(
        "set-account",
        help="set the mailbox to watch; the password is asked for (or read from stdin)",
        description="set the mailbox to watch; the password is asked for, or read as one "
        "line from stdin, and kept only in the system keyring",
    )
    q.add_argument("--host", required=True, help="the IMAP server, e.g. imap.example.com")
    q.add_argument("--user", required=True, help="the login name, often the e-mail address")
    q.add_argument("--security", default="tls", help="tls (default, port 993) or starttls (143)")
    q.add_argument("--port", type=int, help="default: 993 for tls, 143 for starttls")
    q.add_argument("--inbox", default="INBOX", metavar="FOLDER", help="default: INBOX")
    q.add_argument("--sent", default="Sent", metavar="FOLDER", help="default: Sent")
    q.add_argument("--ca-file", metavar="PEM", help="the server's own certificate authority")
    q.add_argument("--every", type=int, default=5, metavar="MINUTES",
                   help="how often the app checks (default: 5)")  # fmt: skip
    actions.add_parser("test", help="log in and check that both folders exist")
    actions.add_parser("check", help="check the mailbox once and print what was logged")
    actions.add_parser("forget", help="remove the mailbox settings and the saved password")
    for action in actions.choices.values():
        action.add_argument("--json", action="store_true", help="print JSON only")


# --- before the data folder is touched ---------------------------------------------------


def prepare_mail(args: argparse.Namespace, now: datetime) -> tuple[MailAccount, str] | None:
    if args.mail_command != "set-account":
        return None
    from followthrough.domain.mailaccount import MailAccount
    from followthrough.services.secrets import require_safe_keyring

    account = MailAccount.create(
        host=args.host,
        user=args.user,
        security=args.security,
        port=args.port,
        inbox=args.inbox,
        sent=args.sent,
        interval_minutes=args.every,
        ca_file=_ca_file(args.ca_file),
    )
    # Before the prompt: no one should type a password that cannot be kept.
    require_safe_keyring()
    return account, read_password(f"Password for {account.user}@{account.host}: ")


def _ca_file(text: str | None) -> str | None:
    if not text:
        return None
    path = Path(text).expanduser().resolve()  # the app may later run from another folder
    if not path.is_file():
        raise InvalidData(f"--ca-file: there is no file at {path}", "ca_file")
    return str(path)


def read_password(prompt: str) -> str:
    """From the terminal without echo, or one line of stdin (a script, a password manager)."""
    if sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(prompt)
    else:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise UsageError("no password given (type it at the prompt, or pipe one line to stdin)")
    return password


# --- the actions -------------------------------------------------------------------------


def run_mail(
    db: Database,
    args: argparse.Namespace,
    request: tuple[MailAccount, str] | None,
    now: datetime,
) -> int:
    if args.mail_command == "set-account":
        assert request is not None  # prepare_mail read the password
        return _set_account(db, args, request, now)
    if args.mail_command == "forget":
        return _forget(db, args)
    account = _account(db)
    from followthrough.services.secrets import read_password as stored_password

    password = stored_password(account.key)
    if args.mail_command == "test":
        return _test(args, account, password)
    return _check(db, args, account, password, now)


def _account(db: Database) -> MailAccount:
    from followthrough.services.mailaccount import get_account

    account = get_account(db)
    if account is None:
        raise NotFound("no mailbox is set up (run: followthrough mail set-account --help)")
    return account


def _set_account(
    db: Database, args: argparse.Namespace, request: tuple[MailAccount, str], now: datetime
) -> int:
    from followthrough.services.mailaccount import set_account

    account, password = request
    set_account(db, account, password, now)
    return emit(
        args,
        {"account": account.to_json(), "keyring_entry": account.key},
        f"Saved the mailbox {account.key}; its password is in the system keyring.\n"
        "Check it with: followthrough mail test",
    )


def _forget(db: Database, args: argparse.Namespace) -> int:
    from followthrough.services.mailaccount import forget_account

    account = forget_account(db)
    said = (
        f"Forgot the mailbox {account.key} and its saved password."
        if account
        else "No mailbox was set up; nothing to forget."
    )
    return emit(args, {"forgotten": account.key if account else None}, said)


def _test(args: argparse.Namespace, account: MailAccount, password: str) -> int:
    from followthrough.services.mailserver import test_connection

    folders = test_connection(account, password)
    detected = folders.get("sent") or ""
    hint = ""
    if detected and detected != account.sent:
        hint = f" The server marks {detected!r} as its sent folder."
    return emit(
        args,
        {
            "ok": True,
            "account": account.key,
            "inbox": account.inbox,
            "sent": account.sent,
            "detected": folders,
        },
        f"Connected to {account.key} ({account.security.value}): "
        f"folders {account.inbox!r} and {account.sent!r} found.{hint}",
    )


def _check(
    db: Database, args: argparse.Namespace, account: MailAccount, password: str, now: datetime
) -> int:
    from followthrough.services.mailwatch import check_mail

    report = check_mail(db, account, password, now=now)
    return emit(args, _report_json(report), _report_text(report, now))


def _report_json(report: PassReport) -> dict[str, Any]:
    return {
        "logged": [
            {
                "lead_id": entry.lead_id,
                "lead": entry.lead_name,
                "kind": entry.kind,
                "subject": entry.subject,
                "at": output.iso_local(entry.at),
                "folder": entry.folder,
                "source": entry.source,  # mail, mail_rule, or calendar (an invitation's answer)
                "rule": entry.rule,
            }
            for entry in report.logged
        ],
        "read": report.read,
        "folders": dict(report.folders),
    }


def _report_text(report: PassReport, now: datetime) -> str:
    words = {"replied": "reply from", "sent": "sent to", "auto_reply": "automatic reply from"}
    lines = [
        f"{output.when_text(entry.at, now):<22} "
        f"{words.get(entry.kind, entry.kind.replace('_', ' ') + ':')} "
        # One line each: a subject comes from a mail header, and those can hold anything.
        + one_line(entry.lead_name + (f": {entry.subject}" if entry.subject else ""))
        for entry in report.logged
    ]
    return "\n".join(lines) if lines else f"Nothing new to log ({report.read} messages read)."
