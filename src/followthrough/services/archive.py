"""The archive: won and lost leads, newest first, with why they left the board.

Won and lost leads leave the board, not the database. The list is read a page at a time from
a partial index that holds only them, in the order they are shown (see store/models.py), so
a page costs about the same with fifty archived leads or fifty thousand.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from followthrough.domain.signals import EventKind
from followthrough.domain.states import ARCHIVE_STATES, State
from followthrough.services.board_rows import (
    SELECT_LEAD,
    count_by_state,
    lead_view,
    search_clause,
    search_needle,
)
from followthrough.services.readmodels import LeadView
from followthrough.store.board_sql import ARCHIVE_SQL
from followthrough.store.db import Database, driver_connection

PAGE = 100
# INDEXED BY: without statistics SQLite prefers the (state, search_key) index and sorts every
# archived lead for each page; the archive index is already in the order the list shows.
# The WHERE repeats the partial index's condition, which is what lets SQLite use it at all.
_PAGE_SQL = (
    f"{SELECT_LEAD} INDEXED BY ix_lead_archive WHERE {ARCHIVE_SQL}{{match}} "
    "ORDER BY state_since DESC, id DESC LIMIT :limit OFFSET :offset"
)


@dataclass(frozen=True)
class ArchivedLead:
    """A won or lost lead, when it left the board and the reason given for it."""

    lead: LeadView
    reason: str | None  # the text of the move that took it to its state, if one was given

    @property
    def state(self) -> State:
        return self.lead.state

    @property
    def state_since(self) -> datetime:
        """When the lead was won or lost (UTC)."""
        return self.lead.state_since


@dataclass(frozen=True)
class ArchivePage:
    won: int  # won leads matching the search, shown or not
    lost: int
    offset: int
    leads: tuple[ArchivedLead, ...]

    @property
    def total(self) -> int:
        return self.won + self.lost


def load_archive(
    db: Database, search: str | None = None, offset: int = 0, limit: int | None = PAGE
) -> ArchivePage:
    """Won and lost leads matching `search`, newest first, from `offset`; and their counts.

    `limit` None reads every one from `offset` on, in the same transaction as the counts.
    """
    needle = search_needle(search)
    with db.read() as session:
        conn = driver_connection(session)
        counts = count_by_state(conn, ARCHIVE_STATES, needle)
        won, lost = counts.get(State.WON, 0), counts.get(State.LOST, 0)
        if limit is None:
            limit = -1  # SQLite's "no limit"
        elif limit <= 0 or offset >= won + lost:
            return ArchivePage(won, lost, offset, ())
        rows = conn.execute(
            _PAGE_SQL.format(match=search_clause(needle)),
            {"needle": needle, "limit": limit, "offset": offset},
        )
        leads = [lead_view(row) for row in rows]
        reasons = _closing_reasons(conn, leads)
        archived = tuple(ArchivedLead(lead, reasons.get(lead.id)) for lead in leads)
        return ArchivePage(won, lost, offset, archived)


def _closing_reasons(conn: sqlite3.Connection, leads: Sequence[LeadView]) -> dict[int, str | None]:
    """For each lead, the text of the latest move into the state it is in now."""
    if not leads:
        return {}
    state_of = {lead.id: lead.state.value for lead in leads}
    # A page is at most a few hundred ids: well within SQLite's cap on bound variables.
    # Each lead's moves are found through the (lead_id, at) index: a handful per lead.
    marks = ", ".join(f":i{n}" for n in range(len(leads)))
    rows = conn.execute(
        "SELECT lead_id, json_extract(payload, '$.to'), text FROM event "  # noqa: S608
        f"WHERE lead_id IN ({marks}) AND kind = :kind ORDER BY at, id",
        {"kind": EventKind.STATE_CHANGE.value, **{f"i{n}": i for n, i in enumerate(state_of)}},
    )
    reasons: dict[int, str | None] = {}
    for lead_id, moved_to, reason in rows:
        if moved_to == state_of[lead_id]:
            reasons[lead_id] = reason  # oldest first: the latest move wins
    return reasons
