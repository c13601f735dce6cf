"""Which alerts come first: Today's order, the notifications' and the CLI's alike."""

from __future__ import annotations

from followthrough.domain.alerts import AlertKind

# Most urgent first: the buyer is acting now, then promises we made, then silences.
URGENCY = {
    AlertKind.TRIGGER: 0,
    AlertKind.DUE: 1,
    AlertKind.SILENCE: 2,
    AlertKind.GUARD: 3,
    AlertKind.STALL: 4,
    AlertKind.REACTIVATE: 5,
}
LEAST_URGENT = 9  # a kind not ranked above (one a newer version wrote)
