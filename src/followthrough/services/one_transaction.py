"""The database seen through one open write session, for use-cases made of other use-cases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from followthrough.store.db import Database


class OneTransaction(Database):
    """The database seen through one open write session.

    The lead services each open their own transaction; handing them this instead makes every
    call join the caller's, so what they do together is written whole, or not at all (the
    sample pipeline; an undoable change between its two snapshots). Reads see what the
    transaction wrote so far. A failure inside must end the caller's transaction too.
    """

    def __init__(self, db: Database, session: Session) -> None:
        super().__init__(db.path, db.engine)
        self._session = session

    @contextmanager
    def write(self) -> Iterator[Session]:
        yield self._session

    @contextmanager
    def read(self) -> Iterator[Session]:
        yield self._session
