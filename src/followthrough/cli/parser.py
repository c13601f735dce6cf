"""The command line's grammar: the app's own options, and the commands each group declares.

Opening the app is the common case, so without a command nothing below the app's options
is built: no command module and no database layer is imported before the window opens.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from followthrough import __version__
from followthrough.cli.usage import OneLineParser


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The command line; without `commands`, only what opening the app needs (fast)."""
    parser = OneLineParser(
        prog="followthrough",
        allow_abbrev=False,  # "--smok" is a typo to report, not an option to guess
        description="Followthrough: follow-up that does not depend on memory. "
        "Run without a command to open the app.",
        epilog="WHEN accepts 2026-12-01, '2026-12-01 14:30', today, tomorrow, fri, 'fri 14:00', "
        "+3d, +2w, +4h, +1mo (a calendar month), in local time. "
        "LEAD is an id, an exact e-mail or part of a name. "
        "Exit codes: 0 ok, 2 usage, 3 not found or ambiguous, 4 invalid data, "
        "5 data folder or database unusable, 6 no display to open the app on.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the data lives (default: $FOLLOWTHROUGH_DATA_DIR, else the platform's folder)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="open the window on the data folder, print how long it took as JSON, and exit",
    )
    parser.add_argument(
        "--screenshot", metavar="PNG", help="with --smoke: save the ready window as a picture"
    )
    parser.add_argument(
        "--tray",
        action="store_true",
        help="start in the tray with the window hidden (as at login); shown if there is no tray",
    )
    # No command (or `followthrough --`): the app opens.
    parser.set_defaults(command=None, handler=None)
    if commands:
        _declare_commands(parser)
    return parser


def _declare_commands(parser: argparse.ArgumentParser) -> None:
    # Imported here, by name, so that PyInstaller still sees and bundles every one of them.
    from followthrough.cli import (
        alerts,
        backups,
        calendar,
        drafting,
        leads,
        mail,
        reason,
        report,
        settings,
        signals,
        sync,
        transfer,
    )

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    # The order `followthrough --help` lists them in.
    for declare in (
        leads.declare,
        reason.declare,
        alerts.declare,
        backups.declare,
        transfer.declare_import,
        drafting.declare,
        transfer.declare_export,
        mail.declare,
        calendar.declare,
        signals.declare,
        sync.declare,
        settings.declare,
        report.declare,
    ):
        declare(sub)


WHEN_FLAGS = ("--at", "--due", "--until", "--since")


def attach_when_values(argv: Sequence[str]) -> list[str]:
    """Let `--at -2d` mean `--at=-2d`: argparse would take "-2d" for an unknown option."""
    out: list[str] = []
    for item in argv:
        if out and out[-1] in WHEN_FLAGS and item.startswith(("-", "+")):
            out[-1] = f"{out[-1]}={item}"
            continue
        out.append(item)
    return out


APP_SWITCHES = ("--smoke", "--tray")  # the app's own options that take no value


def names_a_command(words: Sequence[str]) -> bool:
    """Does the command line hold anything beyond the app's own options (a command, --help)?"""
    expecting_value = False
    for word in words:
        if expecting_value:
            expecting_value = False
        elif word in ("--data-dir", "--screenshot"):
            expecting_value = True
        elif not (word.startswith(("--data-dir=", "--screenshot=")) or word in APP_SWITCHES):
            return True
    return False
