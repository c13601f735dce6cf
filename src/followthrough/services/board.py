"""Reading the board a page at a time: each column's count and its first cards, fast.

The desktop board never materialises a whole pipeline: a column shows its first page and
fetches the next as the list is scrolled. The queries themselves are in board_rows.py, plain
SQL that the first look at start-up shares; this module runs them in a read transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from followthrough.domain.states import BOARD_STATES, State
from followthrough.services.board_rows import (
    PAGE,
    ColumnPage,
    column_page,
    count_by_state,
    read_policy,
    search_needle,
)
from followthrough.services.clock import utcnow
from followthrough.store.db import Database, board_reader

__all__ = ["PAGE", "ColumnPage", "load_board", "load_column_page"]


def load_board(
    db: Database,
    search: str | None = None,
    per_column: int = PAGE,
    now: datetime | None = None,
    states: Iterable[State] = BOARD_STATES,
) -> dict[State, ColumnPage]:
    """Each column's count and first `per_column` cards, in one read transaction."""
    now = now or utcnow()
    needle = search_needle(search)
    wanted = list(states)
    with db.read() as session:
        reader = board_reader(session)
        policy = read_policy(reader)
        totals = count_by_state(reader, wanted, needle)
        return {
            state: column_page(
                reader, state, needle, 0, per_column, totals.get(state, 0), now, policy
            )
            for state in wanted
        }


def load_column_page(
    db: Database,
    state: State,
    search: str | None,
    offset: int,
    limit: int = PAGE,
    now: datetime | None = None,
) -> ColumnPage:
    """The next cards of one column, from `offset` on (the column scrolled to its end)."""
    now = now or utcnow()
    needle = search_needle(search)
    with db.read() as session:
        reader = board_reader(session)
        total = count_by_state(reader, [state], needle).get(state, 0)
        return column_page(reader, state, needle, offset, limit, total, now, read_policy(reader))
