"""The archive: won and lost leads, newest first, with why they left the board.

Won and lost leads leave the board, not the database. The list is read a page at a time from
a partial index that holds only them, in the order they are shown (see store/models.py), so
a page costs about the same with fifty archived leads or fifty thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from followthrough.domain.states import ARCHIVE_STATES, State
from followthrough.services.board_rows import count_by_state, lead_view, search_needle
from followthrough.services.readmodels import LeadView
from followthrough.store.board_reads import BoardReader
from followthrough.store.db import Database, board_reader

PAGE = 100


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
        reader = board_reader(session)
        counts = count_by_state(reader, ARCHIVE_STATES, needle)
        won, lost = counts.get(State.WON, 0), counts.get(State.LOST, 0)
        if limit is None:
            limit = -1  # SQLite's "no limit"
        elif limit <= 0 or offset >= won + lost:
            return ArchivePage(won, lost, offset, ())
        leads = [lead_view(row) for row in reader.archive_rows(needle, offset, limit)]
        reasons = _closing_reasons(reader, leads)
        archived = tuple(ArchivedLead(lead, reasons.get(lead.id)) for lead in leads)
        return ArchivePage(won, lost, offset, archived)


def _closing_reasons(reader: BoardReader, leads: Sequence[LeadView]) -> dict[int, str | None]:
    """For each lead, the text of the latest move into the state it is in now."""
    state_of = {lead.id: lead.state.value for lead in leads}
    reasons: dict[int, str | None] = {}
    for lead_id, moved_to, reason in reader.state_moves(list(state_of)):
        if moved_to == state_of[lead_id]:
            reasons[lead_id] = reason  # oldest first: the latest move wins
    return reasons
