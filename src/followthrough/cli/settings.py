"""`followthrough policy` and `followthrough preferences`: show or change the settings."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from followthrough.cli.command import UsesDatabase, add_command
from followthrough.cli.output import emit
from followthrough.errors import InvalidData, UsageError

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.store.db import Database


def only_shows(args: argparse.Namespace) -> bool:
    """Without --set, policy and preferences only read."""
    return not args.set


def prepare_policy(args: argparse.Namespace, now: datetime) -> dict[str, str]:
    changes: dict[str, str] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set takes KEY=VALUE, not '{item}'")
        changes[key.strip()] = value.strip()
    return changes


def run_policy(
    db: Database, args: argparse.Namespace, changes: dict[str, str], now: datetime
) -> int:
    from followthrough.services.policy import get_policy, update_policy

    policy = update_policy(db, changes, now) if changes else get_policy(db)
    data = policy.to_json()
    return emit(args, data, "\n".join(f"{key:<24}{value:g}" for key, value in data.items()))


def declare_policy(sub: Subcommands) -> None:
    handler = UsesDatabase(run_policy, prepare_policy, reads=only_shows)
    p = add_command(
        sub, "policy", "show or change the follow-up policy (windows, thresholds)", handler
    )
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="e.g. --set hot_silence_days=3")  # fmt: skip


# --- preferences -----------------------------------------------------------------------

# What a person may set from the command line; the rest is the app's own bookkeeping.
PREFERENCE_KEYS = ("sender_name", "signature", "work_start", "work_end", "work_days",
                   "notifications", "quiet")  # fmt: skip
_YES, _NO = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


def prepare_preferences(args: argparse.Namespace, now: datetime) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in PREFERENCE_KEYS:
            raise UsageError(f"--set takes KEY=VALUE with KEY one of {', '.join(PREFERENCE_KEYS)}")
        if key in ("notifications", "quiet"):
            if value.casefold() not in _YES | _NO:
                raise InvalidData(f"{key} is on or off, not '{value}'", key)
            changes[key] = value.casefold() in _YES
        elif key == "work_days":
            changes[key] = [day.strip().casefold()[:3] for day in value.split(",") if day.strip()]
        else:
            changes[key] = value
    return changes


def run_preferences(
    db: Database, args: argparse.Namespace, changes: dict[str, Any], now: datetime
) -> int:
    from followthrough.services.preferences import get_preferences, update_preferences

    prefs = update_preferences(db, changes, now) if changes else get_preferences(db)
    data = {key: value for key, value in prefs.to_json().items() if key in PREFERENCE_KEYS}
    shown = {k: ", ".join(v) if isinstance(v, list) else v for k, v in data.items()}
    lines = "\n".join(f"{key:<16}{_shown_value(value)}" for key, value in shown.items())
    return emit(args, data, lines)


def _shown_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value) if value != "" else "(not set)"


def declare_preferences(sub: Subcommands) -> None:
    handler = UsesDatabase(run_preferences, prepare_preferences, reads=only_shows)
    p = add_command(
        sub,
        "preferences",
        "show or change how drafts are signed, working hours, notices",
        handler,
    )
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help='e.g. --set sender_name="Ana Silva"')  # fmt: skip


def declare(sub: Subcommands) -> None:
    """The settings commands, in the order `--help` lists them."""
    declare_policy(sub)
    declare_preferences(sub)
