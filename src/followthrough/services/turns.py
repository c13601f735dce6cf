"""Where a pass's database work runs: the caller's choice.

A pass that also talks to a server (the mail watch, the calendar) must not hold the database
while it waits on the network. It hands each read and write to a `DatabaseTurn`: the CLI and
the tests run the work themselves (`here`); the app queues it on its one database thread and
waits for the result (ui/ops.py `Operations.call`), so the pass's own thread only ever waits
on the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from followthrough.store.db import Database

T = TypeVar("T")


class DatabaseTurn(Protocol):
    """Runs one piece of database work where the database is used, and returns its result."""

    def __call__(self, work: Callable[[Database], T], /) -> T: ...


@dataclass(frozen=True)
class _Here:
    """The database used on the caller's own thread (the CLI, the tests)."""

    db: Database

    def __call__(self, work: Callable[[Database], T], /) -> T:
        return work(self.db)


def turn_for(db: Database | DatabaseTurn) -> DatabaseTurn:
    """`db` itself when it is already a turn; otherwise work run here, on `db`."""
    return _Here(db) if isinstance(db, Database) else db
