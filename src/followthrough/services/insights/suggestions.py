"""Feedback into the rules: at most three plain suggestions, each with its evidence, one
click to apply and one to undo.

Two kinds, both read off the same figures the reports show over the last DEFAULT_DAYS:
- a shorter silence window for Hot or Warm, when buyers in that state who answer do so well
  within it (waiting longer than they take only lets the lead cool);
- retiring a template whose reply rate is under a third of the best one's.

Applying goes through the settings' own save paths (a policy change re-plans every board
lead) inside services/undo.py's settings snapshot, so undo puts back exactly what was there
(and refuses if the setting changed since).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import Session

from followthrough.domain.figures import DAY, MIN_CASES, Rate
from followthrough.domain.period import DEFAULT_DAYS, Period
from followthrough.domain.policy import Policy
from followthrough.domain.states import State
from followthrough.errors import NotFound
from followthrough.services.insights.outcomes import template_reply_rates
from followthrough.services.insights.response import compute_response
from followthrough.services.policy import POLICY_KEY, get_policy, write_policy
from followthrough.services.retired_templates import (
    RETIRED_KEY,
    get_retired,
    load_retired,
    write_retired,
)
from followthrough.services.undo import SettingsSnapshot, record_settings_change, restore_settings
from followthrough.store.db import Database

MAX_SHOWN = 3
# Under this share of the best template's rate, a template is worth retiring.
RETIRE_SHARE = 1 / 3
_WINDOWS = {State.HOT: "hot_silence_days", State.WARM: "warm_silence_days"}


@dataclass(frozen=True)
class Suggestion:
    key: str  # the same for the same advice: "silence:warm:5", "retire:short-nudge"
    title: str
    evidence: str
    action_label: str


@dataclass(frozen=True)
class AppliedSuggestion(Suggestion):
    """A suggestion once applied, with the settings before and after: what undo needs."""

    before: SettingsSnapshot
    after: SettingsSnapshot


def list_suggestions(db: Database, now: datetime, zone: tzinfo) -> tuple[Suggestion, ...]:
    """What the figures of the last DEFAULT_DAYS suggest now, at most three. (No dates are
    worded, so `zone` changes nothing yet; it is taken for the faces' sake.)"""
    period = Period.last(DEFAULT_DAYS, now)
    found = [*_window_suggestions(db, period), *_retire_suggestions(db, period)]
    return tuple(found[:MAX_SHOWN])


def apply_suggestion(db: Database, key: str, now: datetime, zone: tzinfo) -> AppliedSuggestion:
    """Do what the suggestion `key` says, if it is still suggested; undo with
    `undo_suggestion`."""
    suggestion = next((s for s in list_suggestions(db, now, zone) if s.key == key), None)
    if suggestion is None:
        raise NotFound(f"'{key}' is no longer suggested: the figures changed since it was shown")
    kind, _, rest = key.partition(":")

    def change(session: Session) -> None:
        if kind == "silence":
            state, days = rest.split(":")
            write_policy(session, {_WINDOWS[State(state)]: float(days)}, now)
        else:
            write_retired(session, load_retired(session) | {rest}, now)

    _, before, after = record_settings_change(db, (POLICY_KEY, RETIRED_KEY), change)
    return AppliedSuggestion(
        suggestion.key, suggestion.title, suggestion.evidence, suggestion.action_label,
        before, after,
    )  # fmt: skip


def undo_suggestion(
    db: Database, applied: AppliedSuggestion, now: datetime | None = None
) -> AppliedSuggestion:
    """Put the settings back as they were before `applied` (refused if changed since).

    Returns it with its "before" as actually restored: what a redo must find.
    """
    restored = restore_settings(db, applied.before, applied.after, now)
    return dataclasses.replace(applied, before=restored)


def redo_suggestion(
    db: Database, applied: AppliedSuggestion, now: datetime | None = None
) -> AppliedSuggestion:
    """Apply it again after an undo (refused if the settings changed since)."""
    restored = restore_settings(db, applied.after, applied.before, now)
    return dataclasses.replace(applied, after=restored)


# --- the silence windows ----------------------------------------------------------------


def _window_suggestions(db: Database, period: Period) -> list[Suggestion]:
    policy = get_policy(db)
    response = compute_response(db, period)
    found = []
    for state, field in _WINDOWS.items():
        answers = response.for_state(state)
        if answers is None or answers.answered.hits < MIN_CASES:
            continue
        if answers.median_seconds is None:
            continue
        within = max(1, math.ceil(answers.median_seconds / DAY - 1e-9))
        proposed = within + 1
        current = _window(policy, field)
        if proposed < current:
            found.append(_window_suggestion(state, within, answers.answered, current, proposed))
    return found


def _window(policy: Policy, field: str) -> float:
    value = getattr(policy, field)
    assert isinstance(value, int | float)
    return float(value)


def _window_suggestion(
    state: State, within: int, answered: Rate, current: float, proposed: int
) -> Suggestion:
    name = state.label
    return Suggestion(
        key=f"silence:{state.value}:{proposed}",
        title=f"{name} silence window: {_days(current)} → {_days(proposed)}?",
        evidence=(
            f"{name} leads who answer us do so within {_days(within)} (median of "
            f"{answered.hits} answers in the last {DEFAULT_DAYS} days), yet the app waits "
            f"{_days(current)} of silence before raising a follow-up."
        ),
        action_label=f"Use {_days(proposed)}",
    )


def _days(days: float) -> str:
    return f"{days:g} day" + ("" if days == 1 else "s")


# --- retiring a template ----------------------------------------------------------------


def _retire_suggestions(db: Database, period: Period) -> list[Suggestion]:
    from followthrough.services.templates import list_templates

    retired = get_retired(db)
    rated = [
        (slug, rate)
        for slug, rate in template_reply_rates(db, period).items()
        if slug not in retired and rate.value is not None
    ]
    if len(rated) < 2:
        return []
    best_slug, best = max(rated, key=lambda t: (t[1].value or 0.0, t[1].cases))
    worst_slug, worst = min(rated, key=lambda t: (t[1].value or 0.0, -t[1].cases, t[0]))
    if worst_slug == best_slug or not (worst.value or 0.0) < (best.value or 0.0) * RETIRE_SHARE:
        return []
    titles = {spec.slug: spec.title for spec in list_templates(db)}
    if worst_slug not in titles:
        return []  # deleted since: nothing to retire
    worse, better = titles[worst_slug], titles.get(best_slug, best_slug)
    return [
        Suggestion(
            key=f"retire:{worst_slug}",
            title=f"Retire the template '{worse}'?",
            evidence=(
                f"'{worse}' got a reply {worst.hits} of {worst.cases} times in the "
                f"last {DEFAULT_DAYS} days; '{better}' {best.hits} of {best.cases}. "
                "Retired, it is no longer offered when drafting; it stays in your templates "
                "and can be brought back."
            ),
            action_label="Retire it",
        )
    ]
