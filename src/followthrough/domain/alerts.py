"""What an alert is called by: the rule that raised it, its kind, its intent, its status.

String enums, so a member is stored, exported (JSON, CSV) and printed as the same bare word
it always was ("silence", "open"): the columns stay text and no migration is needed.
"""

from __future__ import annotations

from enum import StrEnum


class AlertRule(StrEnum):
    """The name each follow-up rule (domain/rules.py) gives its findings.

    Stored alerts may name rules of earlier versions ("silence_hot"): read models keep the
    stored text, and only the engine and the templates speak in members.
    """

    DUE = "due"
    STALL = "stall"
    SILENCE = "silence"
    GUARD = "guard"
    COOL = "cool"
    FADE = "fade"
    PARK = "park"
    REACTIVATE = "reactivate"
    PROPOSAL_VIEWS = "proposal_views"
    LINK_CLICKS = "link_clicks"
    MEETING_MISSED = "meeting_missed"
    PRICING_SILENCE = "pricing_silence"
    ENGAGEMENT_DROP = "engagement_drop"


class AlertKind(StrEnum):
    SILENCE = "silence"
    TRIGGER = "trigger"
    STALL = "stall"
    REACTIVATE = "reactivate"
    GUARD = "guard"
    DUE = "due"


class Intent(StrEnum):
    ADVANCE = "advance"
    CLARIFY = "clarify"
    CLOSE_LOOP = "close_loop"


class AlertStatus(StrEnum):
    """open → snoozed → done / dismissed by the user; cleared by the engine when the
    condition went away (the buyer replied)."""

    OPEN = "open"
    SNOOZED = "snoozed"
    DONE = "done"
    DISMISSED = "dismissed"
    CLEARED = "cleared"


# Still asking for attention (at most one per lead and rule: a unique index).
LIVE = frozenset({AlertStatus.OPEN, AlertStatus.SNOOZED})
# Resolved by the user: some rules escalate from these.
HANDLED = frozenset({AlertStatus.DONE, AlertStatus.DISMISSED})


class AlertOutcome(StrEnum):
    """What followed an alert the user acted on."""

    ENGAGED = "engaged"  # the buyer engaged within the outcome window


# The kind each rule's findings are (domain/rules.py raises them so): what a sample alert of
# a rule looks like, in a template's preview.
RULE_KINDS: dict[AlertRule, AlertKind] = {
    AlertRule.DUE: AlertKind.DUE,
    AlertRule.STALL: AlertKind.STALL,
    AlertRule.SILENCE: AlertKind.SILENCE,
    AlertRule.GUARD: AlertKind.GUARD,
    AlertRule.COOL: AlertKind.SILENCE,
    AlertRule.FADE: AlertKind.SILENCE,
    AlertRule.PARK: AlertKind.STALL,
    AlertRule.REACTIVATE: AlertKind.REACTIVATE,
    AlertRule.PROPOSAL_VIEWS: AlertKind.TRIGGER,
    AlertRule.LINK_CLICKS: AlertKind.TRIGGER,
    AlertRule.MEETING_MISSED: AlertKind.TRIGGER,
    AlertRule.PRICING_SILENCE: AlertKind.TRIGGER,
    AlertRule.ENGAGEMENT_DROP: AlertKind.TRIGGER,
}
