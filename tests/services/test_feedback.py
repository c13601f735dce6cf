"""Why a lead left the running: the category a move to Lost or Recycle keeps, and its change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from followthrough.domain.leads import NewLead
from followthrough.domain.reasons import ReasonCategory
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.errors import FieldError, InvalidData, NotFound
from followthrough.services import feedback, lead_queries, leads
from followthrough.services.policy import update_policy
from followthrough.store.db import Database
from tests.conftest import NOW

BACK = NOW + timedelta(days=30)


def add(db: Database, name: str, **fields: object) -> int:
    at = NOW - timedelta(days=20)
    return leads.add_lead(db, NewLead.create(name=name, now=at, **fields), at).id  # type: ignore[arg-type]


def touches(db: Database, lead_id: int, count: int) -> None:
    """`count` messages sent, none answered."""
    for n in range(count):
        leads.log_event(db, lead_id, SignalKind.SENT, at=NOW - timedelta(days=10 - n), now=NOW)


def latest_payload(db: Database, lead_id: int) -> dict[str, object]:
    move = lead_queries.get_lead(db, lead_id, NOW).timeline[0]
    assert move.kind == "state_change"
    return move.payload


def test_without_a_category_a_move_keeps_the_usual_one(db: Database) -> None:
    parked, lost = add(db, "Ana Silva"), add(db, "Bo Chen")
    leads.move_lead(db, parked, State.RECYCLE, until=BACK, now=NOW)
    leads.move_lead(db, lost, State.LOST, now=NOW)
    assert feedback.reason_category(db, parked) is ReasonCategory.TIMING
    assert feedback.reason_category(db, lost) is ReasonCategory.NO_DECISION
    assert latest_payload(db, lost)["category"] == "no_decision"


def test_after_the_guards_unanswered_touches_the_usual_one_is_went_silent(db: Database) -> None:
    lead_id = add(db, "Ana Silva")
    touches(db, lead_id, 2)
    update_policy(db, {"guard_touches": 2}, NOW)  # the guard as the person set it
    leads.move_lead(db, lead_id, State.LOST, now=NOW)
    assert feedback.reason_category(db, lead_id) is ReasonCategory.WENT_SILENT


def test_one_touch_short_of_the_guard_is_not_silence(db: Database) -> None:
    lead_id = add(db, "Ana Silva")
    touches(db, lead_id, 2)  # the default guard is 3 touches
    leads.move_lead(db, lead_id, State.RECYCLE, until=BACK, now=NOW)
    assert feedback.reason_category(db, lead_id) is ReasonCategory.TIMING


def test_a_category_given_is_kept(db: Database) -> None:
    lead_id = add(db, "Ana Silva")
    touches(db, lead_id, 3)  # went silent would be the usual one; the person says otherwise
    leads.move_lead(db, lead_id, State.LOST, reason="Too dear", category=ReasonCategory.PRICE,
                    now=NOW)  # fmt: skip
    assert feedback.reason_category(db, lead_id) is ReasonCategory.PRICE
    assert lead_queries.get_lead(db, lead_id, NOW).timeline[0].text == "Too dear"


@pytest.mark.parametrize("state", [State.HOT, State.WARM, State.WON])
def test_a_category_on_another_move_is_refused_and_nothing_moves(
    db: Database, state: State
) -> None:
    lead_id = add(db, "Ana Silva", state=State.WARM if state is State.HOT else State.HOT)
    before = lead_queries.get_lead(db, lead_id, NOW)
    with pytest.raises(FieldError) as refused:
        leads.move_lead(db, lead_id, state, category=ReasonCategory.FIT, now=NOW)
    assert refused.value.field == "category"
    assert str(refused.value) == "a reason category only applies to a move to Lost or Recycle"
    assert lead_queries.get_lead(db, lead_id, NOW) == before


def test_a_lead_added_straight_to_recycle_is_parked_for_timing(db: Database) -> None:
    lead_id = add(db, "Ana Silva", state=State.RECYCLE, recycle_until=BACK)
    assert feedback.reason_category(db, lead_id) is ReasonCategory.TIMING


def test_no_category_for_a_lead_on_the_board_or_won(db: Database) -> None:
    hot, won = add(db, "Ana Silva"), add(db, "Bo Chen")
    leads.move_lead(db, won, State.WON, now=NOW)
    assert feedback.reason_category(db, hot) is None
    assert feedback.reason_category(db, won) is None
    # Lost, then back on the board: the old move's category no longer describes the lead.
    leads.move_lead(db, hot, State.LOST, category=ReasonCategory.FIT, now=NOW - timedelta(hours=2))
    leads.move_lead(db, hot, State.WARM, now=NOW - timedelta(hours=1))
    assert feedback.reason_category(db, hot) is None


def test_set_reason_category_rewrites_the_latest_move_only(db: Database) -> None:
    lead_id = add(db, "Ana Silva")
    leads.move_lead(db, lead_id, State.LOST, category=ReasonCategory.FIT,
                    now=NOW - timedelta(hours=3))  # fmt: skip
    leads.move_lead(db, lead_id, State.WARM, now=NOW - timedelta(hours=2))
    leads.move_lead(db, lead_id, State.RECYCLE, until=BACK, reason="Budget in spring",
                    now=NOW - timedelta(hours=1))  # fmt: skip
    changed = feedback.set_reason_category(db, lead_id, ReasonCategory.PRICE, now=NOW)
    assert changed is ReasonCategory.PRICE
    assert feedback.reason_category(db, lead_id) is ReasonCategory.PRICE
    detail = lead_queries.get_lead(db, lead_id, NOW)
    moves = [e.payload for e in detail.timeline if e.kind == "state_change"]
    assert [(m["to"], m.get("category")) for m in moves] == [
        ("recycle", "price"), ("warm", None), ("lost", "fit"), ("hot", None),
    ]  # fmt: skip
    assert detail.lead.updated_at == NOW
    assert detail.lead.recycle_reason == "Budget in spring"  # the free text stays


def test_set_reason_category_is_refused_for_a_hot_lead(db: Database) -> None:
    lead_id = add(db, "Ana Silva")
    with pytest.raises(InvalidData) as refused:
        feedback.set_reason_category(db, lead_id, ReasonCategory.PRICE, now=NOW)
    assert str(refused.value) == (
        "Ana Silva is Hot: a reason category belongs to a lead that is Lost or parked in Recycle"
    )
    assert refused.value.field == "category"
    assert [e.payload.get("category") for e in lead_queries.get_lead(db, lead_id).timeline] == [
        None
    ]


def test_an_unknown_lead_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        feedback.reason_category(db, 99)
    with pytest.raises(NotFound):
        feedback.set_reason_category(db, 99, ReasonCategory.FIT, now=NOW)
