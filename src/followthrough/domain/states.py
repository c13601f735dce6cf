"""Lead states: the three board columns and the two archive states."""

from __future__ import annotations

from enum import StrEnum

from followthrough.domain.choices import parse_choice


class State(StrEnum):
    HOT = "hot"
    WARM = "warm"
    RECYCLE = "recycle"
    WON = "won"
    LOST = "lost"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def on_board(self) -> bool:
        return self in BOARD_STATES


# The order columns appear in, left to right, and the order lists sort by.
BOARD_STATES: tuple[State, ...] = (State.HOT, State.WARM, State.RECYCLE)
ARCHIVE_STATES: tuple[State, ...] = (State.WON, State.LOST)
ALL_STATES: tuple[State, ...] = BOARD_STATES + ARCHIVE_STATES


def parse_state(text: str, allowed: tuple[State, ...] = ALL_STATES) -> State:
    """Read a state name typed by a user, case-insensitively."""
    return parse_choice(text, allowed, "state", "state")
