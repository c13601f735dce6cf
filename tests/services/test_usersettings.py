"""The Settings dialog's save: policy and preferences in one transaction, or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from followthrough.domain.leads import NewLead
from followthrough.domain.policy import Policy
from followthrough.domain.preferences import Preferences
from followthrough.errors import InvalidData
from followthrough.services import leads
from followthrough.services.lead_queries import get_lead
from followthrough.services.policy import get_policy
from followthrough.services.preferences import get_preferences
from followthrough.services.usersettings import StoredSettings, get_settings, save_settings
from followthrough.store.db import Database
from tests.conftest import NOW

LATER = NOW + timedelta(hours=2)


def test_both_are_read_as_stored(db: Database) -> None:
    assert get_settings(db) == StoredSettings(Policy(), Preferences())


def test_both_are_saved_and_handed_back(db: Database) -> None:
    saved = save_settings(db, {"hot_silence_days": 4}, {"sender_name": "Ana Silva"}, LATER)
    assert saved.policy.hot_silence_days == 4
    assert saved.preferences.sender_name == "Ana Silva"
    assert get_settings(db) == saved


@pytest.mark.parametrize(
    ("policy", "prefs", "field"),
    [
        ({"hot_silence_days": 4}, {"work_start": "19:00", "work_end": "09:00"}, "work_end"),
        ({"hot_silence_days": -1}, {"sender_name": "Ana Silva"}, "hot_silence_days"),
        ({"hot_silence": 4}, {"sender_name": "Ana Silva"}, "hot_silence"),
        ({"hot_silence_days": 4}, {"sender": "Ana Silva"}, "sender"),
    ],
)
def test_one_refused_value_saves_nothing(
    db: Database, policy: dict[str, object], prefs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidData) as refused:
        save_settings(db, policy, prefs, LATER)
    assert refused.value.field == field
    assert get_policy(db) == Policy()
    assert get_preferences(db) == Preferences()


def test_only_a_policy_change_plans_the_board_again(db: Database) -> None:
    lead = leads.add_lead(db, NewLead.create(name="Ana Silva", now=NOW), NOW)
    planned = get_lead(db, lead.id, NOW).lead.next_check_at
    assert planned != LATER
    save_settings(db, {}, {"sender_name": "Ana Silva"}, LATER)
    assert get_lead(db, lead.id, NOW).lead.next_check_at == planned
    save_settings(db, {"hot_silence_days": 4}, {}, LATER)
    assert get_lead(db, lead.id, NOW).lead.next_check_at == LATER
