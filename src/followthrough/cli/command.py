"""What a command declares next to its parser, so that its name is written once: the code
that runs it, the check of its arguments that comes first, and whether it only reads.

Each command module declares its parsers with `add_command`, which stores one of the two
kinds below as the parsed arguments' `handler`; run.py opens the data folder accordingly.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from followthrough.errors import InvalidData

if TYPE_CHECKING:
    from followthrough.cli.usage import OneLineParser
    from followthrough.paths import DataPaths
    from followthrough.store.db import Database

    Subcommands = argparse._SubParsersAction[OneLineParser]

Request = TypeVar("Request")


def nothing_to_prepare(args: argparse.Namespace, now: datetime) -> None:
    """The preparer of a command whose arguments argparse checks alone."""
    return


def _never(args: argparse.Namespace) -> bool:
    return False


@dataclass(frozen=True)
class UsesDatabase(Generic[Request]):
    """A command over the database. `prepare` checks what was typed before the data folder
    is touched (bad input writes nothing) and makes the request that `run` carries out."""

    run: Callable[[Database, argparse.Namespace, Request, datetime], int]
    prepare: Callable[[argparse.Namespace, datetime], Request]
    # Never writes (given these arguments): it still works where nothing can be written (a
    # read-only folder, a full disk), so the person can see, check and take out their data.
    reads: bool | Callable[[argparse.Namespace], bool] = False
    # A read whose output must not pass off damage as data (an export is what people keep):
    # the health check runs before it as before a write.
    checked: bool = False

    def only_reads(self, args: argparse.Namespace) -> bool:
        return self.reads if isinstance(self.reads, bool) else self.reads(args)

    def prepared(self, args: argparse.Namespace, now: datetime) -> Callable[[Database], int]:
        """Check the arguments now; what is left to do once the database is open."""
        request = self.prepare(args, now)
        return lambda db: self.run(db, args, request, now)


@dataclass(frozen=True)
class UsesFolder:
    """A command over the data folder's files (backups): a damaged database must still be
    restorable, so it never opens one."""

    run: Callable[[DataPaths, argparse.Namespace, datetime], int]
    reads: bool = False

    def only_reads(self, args: argparse.Namespace) -> bool:
        return self.reads


Handler = UsesDatabase[Request] | UsesFolder


def add_command(
    sub: Subcommands, name: str, help_text: str, handler: Handler[Request]
) -> argparse.ArgumentParser:
    """Declare the command `name`, with --json, and what runs it."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.set_defaults(handler=handler)
    return parser


def when_arg(text: str | None, now: datetime, flag: str) -> datetime | None:
    """The moment a WHEN option names, its mistakes told with the option's name."""
    if text is None:
        return None
    # Here, not at the top: run.py needs this module on the way to opening the app too.
    from followthrough.domain.when import parse_when

    try:
        return parse_when(text, now)
    except InvalidData as exc:
        raise InvalidData(f"{flag}: {exc}", exc.field) from None
