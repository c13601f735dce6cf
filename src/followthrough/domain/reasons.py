"""Why a lead left the running: the reason category picked when it goes to Lost or Recycle.

One word per move, picked in one click, so the stall audit can put *timing* beside *fit*
without anyone re-reading free text. The free-text reason stays beside it.
"""

from __future__ import annotations

from enum import StrEnum

from followthrough.domain.choices import parse_choice
from followthrough.domain.states import State


class ReasonCategory(StrEnum):
    TIMING = "timing"
    FIT = "fit"
    PRICE = "price"
    COMPETITOR = "competitor"
    NO_DECISION = "no_decision"
    WENT_SILENT = "went_silent"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# The moves that ask for a category: the lead stops being worked, for now or for good.
ASKS_REASON = frozenset({State.LOST, State.RECYCLE})


def default_reason(to: State, unanswered: int, guard_touches: int) -> ReasonCategory:
    """The category offered first: what such a move most often means.

    A lead parked after the no-pestering guard went silent; otherwise parking is about
    timing ("not now"), and a loss without more said is a buyer who did not decide.
    """
    if unanswered >= guard_touches:
        return ReasonCategory.WENT_SILENT
    return ReasonCategory.TIMING if to is State.RECYCLE else ReasonCategory.NO_DECISION


def parse_reason_category(text: str) -> ReasonCategory:
    """A category typed by a person: "no decision", "no-decision" and "no_decision" alike."""
    return parse_choice(text, ReasonCategory, "reason category", "category")
