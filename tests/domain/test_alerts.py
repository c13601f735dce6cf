"""The alert words are stored and exported as they are: renaming a member's value would
need a migration and would change every export."""

from __future__ import annotations

from followthrough.domain.alerts import (
    HANDLED,
    LIVE,
    RULE_KINDS,
    AlertKind,
    AlertRule,
    AlertStatus,
)


def test_the_stored_words() -> None:
    assert list(AlertStatus) == ["open", "snoozed", "done", "dismissed", "cleared"]
    assert list(AlertKind) == ["silence", "trigger", "stall", "reactivate", "guard", "due"]
    assert f"{AlertStatus.OPEN} [{AlertRule.PROPOSAL_VIEWS}]" == "open [proposal_views]"
    assert {"open", "snoozed"} == LIVE
    assert {"done", "dismissed"} == HANDLED


def test_every_rule_has_a_kind() -> None:
    assert set(RULE_KINDS) == set(AlertRule)
