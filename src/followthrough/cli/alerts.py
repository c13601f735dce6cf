"""The alert commands: due, alerts, snooze, done, dismiss."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase, add_command, nothing_to_prepare, when_arg
from followthrough.domain.alerts import AlertStatus
from followthrough.domain.bounds import record_id
from followthrough.errors import InvalidData

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.store.db import Database


def run_due(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    from followthrough.services.alerts import list_alerts, tick

    at = when_arg(args.at, now, "--at") or now
    tick(db, at)
    found = list_alerts(db)
    return output.emit(args, [output.alert_json(a) for a in found], output.alert_lines(found, at))


def run_alerts(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    from followthrough.services.alerts import list_alerts

    found = list_alerts(db, include_resolved=args.all)
    return output.emit(args, [output.alert_json(a) for a in found], output.alert_lines(found, now))


def alert_id(text: str) -> int:
    """The id an ALERT argument names (drafting's --alert too)."""
    found = record_id(text, "alert")
    if found is None:
        raise InvalidData(f"'{text}' is not an alert id (see followthrough alerts)", "alert")
    return found


def prepare_snooze(args: argparse.Namespace, now: datetime) -> tuple[int, datetime, datetime]:
    at = when_arg(args.at, now, "--at") or now
    until = when_arg(args.until, now, "--until")
    assert until is not None  # argparse requires --until
    return alert_id(args.alert), until, at


def run_snooze(
    db: Database, args: argparse.Namespace, req: tuple[int, datetime, datetime], now: datetime
) -> int:
    from followthrough.services.alerts import snooze

    found, until, at = req
    alert = snooze(db, found, until, at)
    text = f"Snoozed #{alert.id} ({alert.lead_name}) until {output.when_text(until, now)}."
    return output.say(args, output.alert_json(alert), text)


def prepare_resolve(args: argparse.Namespace, now: datetime) -> tuple[int, datetime]:
    return alert_id(args.alert), when_arg(args.at, now, "--at") or now


def _resolver(
    status: AlertStatus,
) -> Callable[[Database, argparse.Namespace, tuple[int, datetime], datetime], int]:
    def run(
        db: Database, args: argparse.Namespace, req: tuple[int, datetime], now: datetime
    ) -> int:
        from followthrough.services.alerts import resolve

        alert = resolve(db, req[0], status, req[1])
        text = f"#{alert.id} ({alert.lead_name}): {status}."
        return output.say(args, output.alert_json(alert), text)

    return run


def declare(sub: Subcommands) -> None:
    """The alert commands, in the order `--help` lists them."""
    p = add_command(
        sub,
        "due",
        "check every lead now (or --at WHEN) and show the open alerts",
        UsesDatabase(run_due, nothing_to_prepare),
    )
    p.add_argument("--at", metavar="WHEN", help="the moment to check at (default: now)")
    p = add_command(
        sub,
        "alerts",
        "show open alerts, most urgent first",
        UsesDatabase(run_alerts, nothing_to_prepare, reads=True),
    )
    p.add_argument("--all", action="store_true", help="also snoozed and resolved ones")
    handler = UsesDatabase(run_snooze, prepare_snooze)
    p = add_command(sub, "snooze", "put an alert aside until a time", handler)
    p.add_argument("alert", metavar="ALERT")
    p.add_argument("--until", metavar="WHEN", required=True)
    p.add_argument("--at", metavar="WHEN", help="when you snoozed it (default: now)")
    for name, what, status in (
        ("done", "you acted on an alert", AlertStatus.DONE),
        ("dismiss", "an alert is not worth acting on", AlertStatus.DISMISSED),
    ):
        resolver = UsesDatabase(_resolver(status), prepare_resolve)
        p = add_command(sub, name, f"say {what}", resolver)
        p.add_argument("alert", metavar="ALERT")
        p.add_argument("--at", metavar="WHEN", help="when (default: now)")
