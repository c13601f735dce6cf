"""Decisions decay: momentum halves every half-life since the buyer last engaged."""

from __future__ import annotations

from datetime import datetime

from followthrough.domain.policy import Policy
from followthrough.domain.states import State


def momentum(
    state: State,
    last_engaged_at: datetime | None,
    state_since: datetime,
    now: datetime,
    policy: Policy,
) -> float | None:
    """100 right after the buyer engaged, 50 one half-life later; None where it means nothing.

    With no engagement yet, the clock starts when the lead entered its state.
    """
    half_life = policy.half_life(state)
    if half_life is None:
        return None
    start = last_engaged_at or state_since
    elapsed = max((now - start).total_seconds(), 0.0)
    return float(100 * 0.5 ** (elapsed / half_life.total_seconds()))
