"""What the status bar and the lead panel say about the board, in words."""

from __future__ import annotations

from followthrough.domain.states import State
from followthrough.services.board_rows import BoardSnapshot


def count_words(board: BoardSnapshot, query: str | None) -> str:
    """The status bar's count; its total is what an export holds."""
    if board.first_run:
        return "No leads yet: add one with Ctrl+N"
    if query is not None:
        shown = board.shown
        return f"{shown:,} of {board.on_board:,} on the board match" if shown else "No matches"
    closed = [
        f"{board.stored.get(state, 0):,} {state.label.lower()}" for state in (State.WON, State.LOST)
    ]
    total = board.total
    return f"{total:,} lead{'' if total == 1 else 's'}: {board.on_board:,} on the board, " + (
        ", ".join(closed)
    )


def absence_words(name: str, absence: str, undo_keys: str, archive_keys: str) -> str:
    if absence == "deleted":
        return f"{name} was deleted.\n{undo_keys} brings the lead back."
    if absence.startswith("marked"):
        return f"{name} is {absence} and left the board.\nView › Archive ({archive_keys}) lists it."
    return f"{name} is {absence}.\nEscape in the search field shows every lead."
