"""Suggestions that tune the rules: evidence, Apply (re-plans) and undo (restores)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.errors import InvalidData, NotFound
from followthrough.services import alerts, drafting, lead_queries
from followthrough.services.insights.suggestions import (
    Suggestion,
    apply_suggestion,
    list_suggestions,
    redo_suggestion,
    undo_suggestion,
)
from followthrough.services.policy import get_policy, update_policy
from followthrough.services.retired_templates import bring_back_template, get_retired
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.services.insights.history import DAY, HOUR, add, log, own_template, send

PARIS = ZoneInfo("Europe/Paris")
TOUCH = NOW - 2 * DAY  # the last lead's unanswered message


def early_warm_answers(db: Database) -> int:
    """Five Warm buyers answer within one or two days; a sixth was written to two days ago."""
    for i, after in enumerate((1 * DAY, 1 * DAY, 2 * DAY, 2 * DAY - HOUR, 2 * DAY)):
        lead_id = add(db, f"Warm {i}", NOW - 30 * DAY, State.WARM)
        log(db, lead_id, SignalKind.SENT, NOW - 20 * DAY)
        log(db, lead_id, SignalKind.REPLIED, NOW - 20 * DAY + after)
    waiting = add(db, "Bea", NOW - 30 * DAY, State.WARM)
    log(db, waiting, SignalKind.SENT, TOUCH)
    return waiting


def next_check(db: Database, lead_id: int) -> object:
    alerts.tick(db, NOW)
    return lead_queries.get_lead(db, lead_id, NOW).lead.next_check_at


def test_early_warm_answers_suggest_a_shorter_window_applied_and_undone(db: Database) -> None:
    lead_id = early_warm_answers(db)
    assert next_check(db, lead_id) == TOUCH + 7 * DAY

    assert list_suggestions(db, NOW, PARIS) == (
        Suggestion(
            key="silence:warm:3",
            title="Warm silence window: 7 days → 3 days?",
            evidence="Warm leads who answer us do so within 2 days (median of 5 answers in "
            "the last 60 days), yet the app waits 7 days of silence before raising a follow-up.",
            action_label="Use 3 days",
        ),
    )
    applied = apply_suggestion(db, "silence:warm:3", NOW, PARIS)
    assert get_policy(db).warm_silence_days == 3
    assert next_check(db, lead_id) == TOUCH + 3 * DAY  # re-planned with the new window
    assert list_suggestions(db, NOW, PARIS) == ()
    with pytest.raises(NotFound, match="no longer suggested"):
        apply_suggestion(db, "silence:warm:3", NOW, PARIS)

    applied = undo_suggestion(db, applied, NOW)
    assert get_policy(db).warm_silence_days == 7
    assert next_check(db, lead_id) == TOUCH + 7 * DAY
    assert [s.key for s in list_suggestions(db, NOW, PARIS)] == ["silence:warm:3"]

    applied = redo_suggestion(db, applied, NOW)
    assert get_policy(db).warm_silence_days == 3
    update_policy(db, {"guard_touches": 4}, NOW)  # changed elsewhere: undo would lose it
    with pytest.raises(InvalidData, match="changed since"):
        applied = undo_suggestion(db, applied, NOW)
    assert get_policy(db).warm_silence_days == 3


def test_four_answers_are_too_few_to_suggest_anything(db: Database) -> None:
    for i in range(4):
        lead_id = add(db, f"Warm {i}", NOW - 30 * DAY, State.WARM)
        log(db, lead_id, SignalKind.SENT, NOW - 20 * DAY)
        log(db, lead_id, SignalKind.REPLIED, NOW - 20 * DAY + DAY)
    assert list_suggestions(db, NOW, PARIS) == ()


def test_a_template_rarely_answered_is_retired_from_drafting_and_comes_back(
    db: Database,
) -> None:
    own_template(db, "one-question", "One open question", states=("warm",))
    own_template(db, "short-nudge", "Short nudge", states=("warm",))
    for i in range(11):
        lead_id = add(db, f"Nudged {i}", NOW - 40 * DAY, State.WARM)
        send(db, lead_id, NOW - 30 * DAY, "short-nudge")
        if i == 0:
            log(db, lead_id, SignalKind.REPLIED, NOW - 29 * DAY)
    for i in range(14):
        lead_id = add(db, f"Asked {i}", NOW - 40 * DAY, State.WARM)
        send(db, lead_id, NOW - 30 * DAY, "one-question")
        if i < 9:
            log(db, lead_id, SignalKind.REPLIED, NOW - 27 * DAY)
    bea = add(db, "Bea", NOW - DAY, State.WARM)

    def offered() -> list[str]:
        draft = drafting.draft_for(db, bea, now=NOW)
        return [draft.template, *draft.alternatives]

    assert "short-nudge" in offered()
    window, retire = list_suggestions(db, NOW, PARIS)  # the answers came early, too
    assert window.key == "silence:warm:4"
    assert retire.key == "retire:short-nudge"
    assert retire.title == "Retire the template 'Short nudge'?"
    assert retire.evidence.startswith(
        "'Short nudge' got a reply 1 of 11 times in the last 60 days; 'One open question' 9 of 14."
    )
    applied = apply_suggestion(db, retire.key, NOW, PARIS)
    assert get_retired(db) == {"short-nudge"}
    assert "short-nudge" not in offered()
    assert drafting.draft_for(db, bea, template_slug="short-nudge", now=NOW).title == "Short nudge"
    assert list_suggestions(db, NOW, PARIS) == (window,)

    applied = undo_suggestion(db, applied, NOW)
    assert get_retired(db) == set()
    assert "short-nudge" in offered()
    redo_suggestion(db, applied, NOW)
    bring_back_template(db, "short-nudge", NOW)
    assert "short-nudge" in offered()
