"""What a read of the calendar logs for a meeting with a lead: booked once, moved, cancelled
(or declined, or gone), and the question whether it happened once it has ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from followthrough.domain.meetings import (
    Kept,
    MeetingStep,
    Occurrence,
    StepKind,
    meeting_next_step,
    meeting_steps,
    takes_next_step,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
FRIDAY = datetime(2026, 12, 11, 14, 0, tzinfo=UTC)
LEADS = {"dana@acme.io": 1, "bob@beta.io": 2}
READ = (NOW - timedelta(days=7), NOW + timedelta(days=60))


def meeting(
    start: datetime = FRIDAY,
    key: str = "pilot@x",
    cancelled: bool = False,
    **attendees: str,
) -> Occurrence:
    people = {
        f"{name}@{'acme' if name == 'dana' else 'beta'}.io": p for name, p in attendees.items()
    }
    return Occurrence(key, "Pilot scope", start, start + H, False, cancelled,
                      {"me@example.com": "ACCEPTED", **people})  # fmt: skip


def kept(
    start: datetime = FRIDAY, lead: int = 1, cancelled: bool = False, asked: bool = False
) -> Kept:
    return Kept("pilot@x", lead, start, start + H, cancelled, asked)


def steps(
    *occurrences: Occurrence, known: tuple[Kept, ...] = (), now: datetime = NOW
) -> list[tuple[str, int, datetime | None]]:
    found = meeting_steps(occurrences, {(k.key, k.lead_id): k for k in known}, LEADS, *READ, now)
    return [(s.kind.value, s.lead_id, s.previous_start) for s in found]


def test_a_meeting_with_a_lead_is_booked_once_and_others_are_left_alone() -> None:
    assert steps(meeting(dana="ACCEPTED")) == [("booked", 1, None)]
    assert steps(meeting(dana="ACCEPTED"), known=(kept(),)) == []
    # Nobody the app knows, or only the person themself: nothing at all.
    assert steps(meeting(), meeting(key="other", carol="ACCEPTED")) == []
    # Two leads in one meeting: each gets it once.
    assert steps(meeting(dana="", bob="NEEDS-ACTION")) == [("booked", 1, None), ("booked", 2, None)]


def test_a_moved_meeting_moves_and_a_cancelled_or_declined_one_is_a_cancellation() -> None:
    later = FRIDAY + 2 * H
    assert steps(meeting(later, dana="ACCEPTED"), known=(kept(),)) == [("moved", 1, FRIDAY)]
    assert steps(meeting(cancelled=True, dana="ACCEPTED"), known=(kept(),)) == [
        ("cancelled", 1, None)
    ]
    assert steps(meeting(dana="declined"), known=(kept(),)) == [("cancelled", 1, None)]
    # Told once; a cancelled meeting first seen cancelled was never booked here.
    assert steps(meeting(cancelled=True, dana="ACCEPTED"), known=(kept(cancelled=True),)) == []
    assert steps(meeting(cancelled=True, dana="ACCEPTED")) == []
    # Back on after a cancellation: booked again.
    assert steps(meeting(dana="ACCEPTED"), known=(kept(cancelled=True),)) == [("booked", 1, None)]


def test_a_meeting_gone_from_the_part_read_before_it_took_place_is_cancelled() -> None:
    assert steps(known=(kept(),)) == [("cancelled", 1, None)]
    # Outside what was read, or over already, or cancelled before: nothing to say.
    assert steps(known=(kept(NOW + timedelta(days=90)),)) == []
    assert steps(known=(kept(NOW - 3 * H),)) == []
    assert steps(known=(kept(cancelled=True),)) == []


def test_once_a_meeting_has_ended_the_person_is_asked_once() -> None:
    after = FRIDAY + 2 * H
    assert steps(meeting(dana="ACCEPTED"), known=(kept(),), now=after) == [("ask", 1, None)]
    assert steps(meeting(dana="ACCEPTED"), known=(kept(asked=True),), now=after) == []
    # Seen only after it ended (the calendar connected late): booked, then asked.
    assert steps(meeting(dana="ACCEPTED"), now=after) == [("booked", 1, None), ("ask", 1, None)]
    # Still on: not yet.
    assert steps(meeting(dana="ACCEPTED"), known=(kept(),), now=FRIDAY + H / 2) == []


def test_a_step_keeps_what_the_next_step_needs() -> None:
    [step] = meeting_steps([meeting(dana="ACCEPTED")], {}, LEADS, *READ, NOW)
    assert step == MeetingStep(StepKind.BOOKED, 1, "pilot@x", "Pilot scope", FRIDAY, FRIDAY + H)
    assert meeting_next_step("  Pilot   scope ") == "Call: Pilot scope"
    assert meeting_next_step("") == "Call"


def test_a_meeting_becomes_the_next_step_unless_one_is_planned_beyond_it() -> None:
    assert takes_next_step(None, FRIDAY)
    assert takes_next_step(FRIDAY - timedelta(days=2), FRIDAY)  # what led to the meeting
    assert takes_next_step(FRIDAY, FRIDAY)
    assert not takes_next_step(FRIDAY + timedelta(days=7), FRIDAY)
