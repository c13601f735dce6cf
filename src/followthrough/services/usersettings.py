"""What the Settings dialog shows and saves: the follow-up policy and the preferences, together.

Saved in one transaction, so a refused value leaves both as they were: the person sees the
refusal next to its field with everything else still typed, and nothing half-saved behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthrough.domain.policy import Policy
from followthrough.domain.preferences import Preferences
from followthrough.services.clock import utcnow
from followthrough.services.policy import check_policy_names, load_policy, write_policy
from followthrough.services.preferences import (
    check_preference_names,
    load_preferences,
    write_preferences,
)
from followthrough.store.db import Database


@dataclass(frozen=True)
class StoredSettings:
    policy: Policy
    preferences: Preferences


def get_settings(db: Database) -> StoredSettings:
    with db.read() as session:
        return StoredSettings(load_policy(session), load_preferences(session))


def save_settings(
    db: Database,
    policy: dict[str, Any],
    preferences: dict[str, Any],
    now: datetime | None = None,
) -> StoredSettings:
    """Change some policy numbers and some preferences: all of them, or none if one is refused.

    Only a policy change re-plans the board (see `update_policy`); preferences alone do not.
    """
    now = now or utcnow()
    check_policy_names(policy)
    check_preference_names(preferences)
    with db.write() as session:
        saved_policy = write_policy(session, policy, now) if policy else load_policy(session)
        saved = write_preferences(session, preferences, now) if preferences else None
        return StoredSettings(saved_policy, saved or load_preferences(session))
