"""Where a signal came from: typed by the person, or logged by the app from the mailbox, the
calendar or a mail rule. An automatic signal is shown as such, and can be taken back with
"Not this lead", which also teaches the matcher to skip what matched it (DESIGN §3).

The source rides in the event's payload ("source"), with what matched the lead ("match": the
address or calendar event behind it). A payload without a source was typed: events from before
sources were kept, and everything the person logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

SOURCE = "source"  # the payload key
MATCH = "match"  # the payload key: what matched the lead ("mail:ana@acme.com")


class SignalSource(StrEnum):
    TYPED = "typed"
    MAIL = "mail"
    CALENDAR = "calendar"
    MAIL_RULE = "mail_rule"

    @property
    def automatic(self) -> bool:
        return self is not SignalSource.TYPED

    @property
    def label(self) -> str:
        """How the timeline says it: "from mail"; typed signals say nothing."""
        return _LABELS[self]


_LABELS = {
    SignalSource.TYPED: "",
    SignalSource.MAIL: "from mail",
    SignalSource.CALENDAR: "from the calendar",
    SignalSource.MAIL_RULE: "from a mail rule",
}


def source_of(payload: Mapping[str, Any]) -> SignalSource:
    """The event's source; a payload without one (or with one this version does not know)
    reads as typed, the way the person would take it."""
    try:
        return SignalSource(payload.get(SOURCE, SignalSource.TYPED))
    except ValueError:
        return SignalSource.TYPED


def match_key(source: SignalSource, what: str) -> str:
    """What matched a lead, as the matcher remembers it: "mail:ana@acme.com"."""
    return f"{source.value}:{what.strip().lower()}"


def match_of(payload: Mapping[str, Any]) -> str | None:
    value = payload.get(MATCH)
    return value if isinstance(value, str) and value else None
