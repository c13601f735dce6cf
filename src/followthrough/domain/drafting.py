"""The lint that keeps follow-ups honest: short, specific, one decision, no filler, no guilt."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LintFinding:
    # filler | pressure | many_asks | no_next_step | no_consequence | too_long | empty_value
    code: str
    message: str  # one sentence for the person writing
    start: int  # span in the linted text (the body, or the subject when field == "subject")
    end: int
    field: str = "body"  # "body" or "subject"
