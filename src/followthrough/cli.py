"""The `followthrough` command. With no subcommand it opens the desktop app.

Qt is imported only when the GUI is launched, so scripted use stays fast and headless.
Every failure is one line on stderr and an exit code: 2 usage, 3 not found or ambiguous,
4 invalid data, 5 the data folder or database cannot be used, 6 no display for the app.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NoReturn

from followthrough import __version__
from followthrough.errors import FollowthroughError, StorageError, UsageError
from followthrough.paths import DATABASE_NAME, DataPaths
from followthrough.store.faults import disk_full, is_disk_full, storage_fault
from followthrough.store.health import known_good, remember_good

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: scripts read stderr too. It may quote what
        # was typed, perhaps pasted from a hostile source: escaped like any output.
        from followthrough.termsafe import one_line

        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def build_parser(commands: bool = True) -> argparse.ArgumentParser:
    """The command line; without `commands`, only what opening the app needs (fast)."""
    parser = _Parser(
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
    if not commands:
        parser.set_defaults(command=None)
        return parser
    from followthrough.domain.signals import Channel, SignalKind

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--json", action="store_true", help="print JSON only")
        return p

    p = command("add", "add a lead")
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

    p = command("list", "list leads (the board: hot, warm, recycle)")
    p.add_argument("--state", metavar="S", help="hot, warm, recycle, won, lost or all")
    p.add_argument("--search", metavar="Q", help="part of a name, company, e-mail or tag")
    p.add_argument("--by-momentum", action="store_true", help="strongest momentum first")

    p = command("archive", "list won and lost leads, newest first, with their reasons")
    p.add_argument("--search", metavar="Q", help="part of a name, company, e-mail or tag")

    p = command("show", "show a lead with its timeline")
    p.add_argument("lead", metavar="LEAD")

    p = command("edit", "change a lead's fields ('' clears one)")
    p.add_argument("lead", metavar="LEAD")
    for flag in ("--name", "--company", "--email", "--phone", "--title"):
        p.add_argument(flag)
    p.add_argument("--next-step", metavar="TEXT")
    p.add_argument("--due", metavar="WHEN")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="add a tag")
    p.add_argument("--untag", action="append", default=[], metavar="T", help="remove a tag")

    kinds = ", ".join(k.value for k in SignalKind)
    p = command("log", f"log what happened: {kinds}")
    p.add_argument("lead", metavar="LEAD")
    p.add_argument("kind", metavar="KIND")
    p.add_argument("--at", metavar="WHEN", help="when it happened (default: now)")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--channel", help="|".join(c.value for c in Channel))
    p.add_argument("--direction", help="in or out (default depends on KIND)")

    p = command("move", "move a lead to hot, warm, recycle, won or lost")
    p.add_argument("lead", metavar="LEAD")
    p.add_argument("state", metavar="STATE")
    p.add_argument("--until", metavar="WHEN", help="for recycle: when to come back (required)")
    p.add_argument("--reason", metavar="TEXT", help="for recycle, won or lost: why")
    p.add_argument("--at", metavar="WHEN", help="when it changed (default: now)")

    p = command("delete", "delete a lead and its whole history")
    p.add_argument("lead", metavar="LEAD")
    p.add_argument("--yes", action="store_true", help="confirm the deletion")

    p = command("due", "check every lead now (or --at WHEN) and show the open alerts")
    p.add_argument("--at", metavar="WHEN", help="the moment to check at (default: now)")
    p = command("alerts", "show open alerts, most urgent first")
    p.add_argument("--all", action="store_true", help="also snoozed and resolved ones")
    p = command("snooze", "put an alert aside until a time")
    p.add_argument("alert", metavar="ALERT")
    p.add_argument("--until", metavar="WHEN", required=True)
    p.add_argument("--at", metavar="WHEN", help="when you snoozed it (default: now)")
    for name, what in (
        ("done", "you acted on an alert"),
        ("dismiss", "an alert is not worth acting on"),
    ):
        p = command(name, f"say {what}")
        p.add_argument("alert", metavar="ALERT")
        p.add_argument("--at", metavar="WHEN", help="when (default: now)")
    p = command("backup", "save a consistent copy of the database now")
    p.add_argument("--output", metavar="FILE", help="write it here (default: the backups folder)")
    command("backups", "list the backups, newest first")
    p = command("restore", "replace the database with a backup (the current one is saved first)")
    p.add_argument("file", metavar="FILE")
    command("doctor", "check the data folder, database, backups and keyring")

    from followthrough.clidrafting import add_parsers as add_drafting_parsers
    from followthrough.cliexport import add_parsers as add_export_parsers
    from followthrough.cliimport import add_parsers as add_import_parsers

    add_import_parsers(sub, command)

    add_drafting_parsers(sub, command)
    add_export_parsers(sub, command)
    from followthrough.climail import add_parsers as add_mail_parsers

    add_mail_parsers(sub)
    p = command("policy", "show or change the follow-up policy (windows, thresholds)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="e.g. --set hot_silence_days=3")  # fmt: skip
    p = command("preferences", "show or change how drafts are signed, working hours, notices")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help='e.g. --set sender_name="Ana Silva"')  # fmt: skip
    return parser


WHEN_FLAGS = ("--at", "--due", "--until")


def _attach_when_values(argv: Sequence[str]) -> list[str]:
    """Let `--at -2d` mean `--at=-2d`: argparse would take "-2d" for an unknown option."""
    out: list[str] = []
    for item in argv:
        if out and out[-1] in WHEN_FLAGS and item.startswith(("-", "+")):
            out[-1] = f"{out[-1]}={item}"
            continue
        out.append(item)
    return out


APP_SWITCHES = ("--smoke", "--tray")  # the app's own options that take no value


def _names_a_command(words: Sequence[str]) -> bool:
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


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        # Opening the app is the common case: skip building (and importing for) every command.
        args = build_parser(commands=_names_a_command(words)).parse_args(_attach_when_values(words))
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _run(args)
    except FollowthroughError as exc:
        _fail(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `followthrough list | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        from followthrough.store.db import busy_error

        # Sessions say it themselves; this catches a lock met outside one (a raw connection).
        busy = busy_error(exc)
        if busy is not None:
            _fail(str(busy))
            return busy.exit_code
        if os.environ.get("FOLLOWTHROUGH_DEBUG"):
            raise  # developers want the traceback; users get one line
        _fail(f"unexpected error ({type(exc).__name__}: {exc}); rerun with FOLLOWTHROUGH_DEBUG=1")
        return 1


def _fail(message: str) -> None:
    from followthrough.termsafe import print_error

    print_error(f"followthrough: {message}")


def _run(args: argparse.Namespace) -> int:
    from followthrough.paths import prepare_data_dir, resolve_data_dir

    if args.command is None:
        # The app: Qt first, the database layer after the window's first paint.
        from followthrough.ui.app import run_gui

        if args.screenshot and not args.smoke:
            raise UsageError("--screenshot goes with --smoke")
        paths = prepare_data_dir(resolve_data_dir(args.data_dir, os.environ))
        return run_gui(paths, args.smoke, screenshot=args.screenshot, tray=args.tray)

    from followthrough.clicommands import FOLDER_HANDLERS, HANDLERS, PREPARERS
    from followthrough.store.db import Database

    now = datetime.now(UTC)
    # Check what was typed before touching the data folder: bad input writes nothing.
    request = PREPARERS[args.command](args, now) if args.command in PREPARERS else None
    root = resolve_data_dir(args.data_dir, os.environ)
    reading = only_reads(args)
    try:
        paths = prepare_data_dir(root)
    except StorageError:
        if not (reading and (root / DATABASE_NAME).is_file()):
            raise
        paths = DataPaths(root)  # a folder nobody may write to: its data can still be read
    if args.command in FOLDER_HANDLERS:
        # Backups work on the file itself: a damaged database must still be restorable.
        try:
            return FOLDER_HANDLERS[args.command](paths, args, now)
        except Exception as exc:
            raise storage_fault(exc, paths.root) or exc from None
    command = "followthrough"  # as the person calls it for this folder, in restore hints
    if args.data_dir:
        import shlex

        command += f" --data-dir {shlex.quote(str(paths.root))}"
    try:
        db = Database.open(paths, now)
    except Exception as exc:
        from followthrough.errors import NewerSchemaError
        from followthrough.services.integrity import damaged_message, quick_check

        reason = None if isinstance(exc, NewerSchemaError) else quick_check(paths.database)
        if reason is not None:
            raise StorageError(damaged_message(paths, reason, command)) from None
        if isinstance(exc, NewerSchemaError) or not (reading or is_disk_full(exc)):
            raise
        if not reading:
            raise disk_full(paths.root) from None
        # Read-only folder or full disk: a reading command reads without writing a byte.
        db = Database.open_for_reading(paths)
    guard = HealthGuard(paths, command)
    db.before_first_write = guard.check
    if args.command in CHECKED_READS:
        guard.check()
    try:
        code = HANDLERS[args.command](db, args, request, now)
    except Exception as exc:
        _explain_damage(exc, guard)
        raise storage_fault(exc, paths.root) or exc from None
    finally:
        db.close()
    if code == 0 and (db.wrote or guard.checked):
        remember_good(paths.database)  # after close: the WAL is folded in by then
    return code


def _explain_damage(exc: Exception, guard: HealthGuard) -> None:
    """A read that ran into a damaged page ("database disk image is malformed") is told as
    damage, with the way back, like a write the health check stopped."""
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    cause = exc.orig if isinstance(exc, DatabaseError) else exc
    if isinstance(cause, sqlite3.DatabaseError) and not isinstance(cause, sqlite3.OperationalError):
        guard.checked = False
        guard.check()  # raises the damaged message when the quick check agrees


# Reads whose output must not pass off damage as data: an export is what a person keeps.
CHECKED_READS = frozenset({"export"})
# Commands that never write, so they still work where nothing can be written (a read-only
# folder, a full disk): the person can see, check and take out their data.
READING = frozenset({"list", "archive", "show", "alerts", "export", "doctor", "backups"})


def only_reads(args: argparse.Namespace) -> bool:
    if args.command in ("policy", "preferences"):
        return not args.set
    if args.command == "templates":
        return getattr(args, "templates_command", None) in ("list", "lint")
    return args.command in READING


class HealthGuard:
    """The health check a command runs before its first write (or an export): a quick check,
    skipped when the file is exactly as it was last found whole (store/health.py)."""

    def __init__(self, paths: DataPaths, command: str) -> None:
        self.paths = paths
        self.command = command
        self.checked = False

    def check(self) -> None:
        if self.checked or known_good(self.paths.database):
            return
        from followthrough.services.integrity import damaged_message, quick_check

        reason = quick_check(self.paths.database)
        if reason is not None:
            raise StorageError(damaged_message(self.paths, reason, self.command))
        self.checked = True
