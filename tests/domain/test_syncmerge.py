"""The merge decisions for incoming synced changes (domain/syncmerge.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from followthrough.domain.syncmerge import (
    DELETED_FIELD,
    DeleteVerdict,
    OverruledMove,
    RowVerdict,
    delete_verdict,
    is_live,
    overruled_move,
    revived_clocks,
    row_verdict,
    state_conflict_note,
    touched_lead,
    winning_fields,
)


def stamp(wall: int, counter: int = 0, device: str = "aaaa") -> str:
    return f"{wall:015d}-{counter:05d}-{device}"


MOVED_AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_a_field_takes_the_later_write_whichever_device_made_it() -> None:
    clocks = {"name": stamp(10, device="bbbb"), "email": stamp(30)}
    assert winning_fields(stamp(20, device="cccc"), ["name", "email"], clocks) == ["name"]


def test_a_field_never_written_here_takes_any_write() -> None:
    assert winning_fields(stamp(1), ["phone"], {}) == ["phone"]


def test_same_wall_time_is_ordered_by_counter_then_device() -> None:
    clocks = {"name": stamp(10, 2, "aaaa")}
    assert winning_fields(stamp(10, 3, "aaaa"), ["name"], clocks) == ["name"]
    assert winning_fields(stamp(10, 1, "zzzz"), ["name"], clocks) == []
    assert winning_fields(stamp(10, 2, "bbbb"), ["name"], clocks) == ["name"]


def test_a_change_before_the_delete_is_dropped_one_after_it_revives_the_row() -> None:
    deleted = stamp(50)
    assert row_verdict(stamp(40), deleted) is RowVerdict.DROP
    assert row_verdict(stamp(60), deleted) is RowVerdict.REVIVE
    assert row_verdict(stamp(40), None) is RowVerdict.APPLY


def test_a_delete_removes_a_row_whose_every_field_is_older() -> None:
    assert delete_verdict(stamp(50), {"name": stamp(10), "state": stamp(49)}) == DeleteVerdict(
        delete=True
    )


def test_a_delete_keeps_a_row_changed_after_it_and_ages_the_rest_to_the_delete() -> None:
    verdict = delete_verdict(stamp(50), {"name": stamp(10), "state": stamp(60), "tags": stamp(5)})
    assert verdict == DeleteVerdict(delete=False, lifted=("name", "tags"))


def test_a_revived_row_holds_the_same_clocks_as_a_row_kept_through_the_delete() -> None:
    deleted, edit = stamp(50), stamp(60, device="bbbb")
    fields = ["name", "state", "tags"]
    revived = revived_clocks(edit, ["state"], fields, deleted)
    kept = {"name": stamp(10), "state": edit, "tags": stamp(5)}
    for field in delete_verdict(deleted, kept).lifted:
        kept[field] = deleted
    assert revived == kept
    assert revived_clocks(edit, None, fields, deleted) == dict.fromkeys(fields, edit)


def test_a_row_is_live_while_a_field_was_written_after_its_last_delete() -> None:
    assert is_live({"name": stamp(10)})
    assert not is_live({})  # known only by what stood for it: not a row yet
    assert not is_live({"name": stamp(10), DELETED_FIELD: stamp(20)})
    assert is_live({"name": stamp(10), "state": stamp(30), DELETED_FIELD: stamp(20)})
    assert not is_live({DELETED_FIELD: stamp(20)})


def test_touched_lead_reads_the_lead_from_the_row_or_a_keyed_gid() -> None:
    assert touched_lead("lead", "dev:7", None) == "dev:7"
    assert touched_lead("event", "dev:9", {"lead_id": "dev:7"}) == "dev:7"
    assert touched_lead("alert", "dev:7|silence|e1", None) == "dev:7"
    assert touched_lead("event", "dev:9", None) is None
    assert touched_lead("template", "intro", {"title": "Intro"}) is None


def test_a_move_made_here_and_overruled_by_a_later_one_is_a_conflict() -> None:
    move = overruled_move(stamp(60, device="bbbb"), "recycle", "won", stamp(50), MOVED_AT, "aaaa")
    assert move == OverruledMove("won", MOVED_AT, "recycle")


def test_no_conflict_when_states_agree_the_op_loses_or_the_move_was_received() -> None:
    here = "aaaa"
    assert overruled_move(stamp(60, device="b"), "won", "won", stamp(50), MOVED_AT, here) is None
    assert overruled_move(stamp(40, device="b"), "lost", "won", stamp(50), MOVED_AT, here) is None
    received = stamp(50, device="cccc")
    assert overruled_move(stamp(60, device="b"), "lost", "won", received, MOVED_AT, here) is None
    assert overruled_move(stamp(60, device="b"), "lost", "won", None, MOVED_AT, here) is None


def test_the_conflict_note_names_the_device_the_lost_move_and_the_kept_state() -> None:
    note = state_conflict_note(
        "Laptop", OverruledMove("won", MOVED_AT, "recycle"), ZoneInfo("Europe/Paris")
    )
    assert note == (
        "On Laptop this lead was moved to Won on 2026-11-23 10:30; "
        "kept Recycle, the later change made on another device."
    )
