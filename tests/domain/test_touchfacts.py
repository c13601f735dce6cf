"""Each touch's kept facts: the state it was made in, and the buyer's first answer after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from followthrough.domain.touchfacts import FactsEntry, TouchFacts, touch_facts

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def timeline(*events: tuple[float, str, str, str | None]) -> list[FactsEntry]:
    """(hours after T0, kind, direction, a move's source), ids in order."""
    return [
        FactsEntry(number, T0 + hours * H, kind, direction, moved_from)
        for number, (hours, kind, direction, moved_from) in enumerate(events, start=1)
    ]


def test_a_touch_is_answered_by_the_first_answer_after_it_and_keeps_the_current_state() -> None:
    found = touch_facts(
        timeline(
            (0, "state_change", "none", None),  # the lead arrives
            (1, "sent", "out", None),
            (2, "proposal_viewed", "in", None),  # engagement, not an answer
            (3, "sent", "out", None),
            (5, "replied", "in", None),
            (6, "call", "out", None),  # our call: a touch, not answered yet
        ),
        "hot",
    )
    assert found == {
        2: TouchFacts("hot", T0 + 5 * H),
        4: TouchFacts("hot", T0 + 5 * H),
        6: TouchFacts("hot", None),
    }


def test_the_state_is_the_source_of_the_first_move_after_the_touch() -> None:
    found = touch_facts(
        timeline(
            (1, "sent", "out", None),
            (2, "state_change", "none", "hot"),  # hot → warm
            (3, "sent", "out", None),
            (4, "state_change", "none", "warm"),  # warm → recycle
            (5, "proposal_sent", "out", None),
            (6, "meeting_held", "out", None),  # a meeting held answers, whoever logged it
        ),
        "recycle",
    )
    assert found == {
        1: TouchFacts("hot", T0 + 6 * H),
        3: TouchFacts("warm", T0 + 6 * H),
        5: TouchFacts("recycle", T0 + 6 * H),
    }


def test_events_at_the_same_moment_do_not_count_as_after_each_other() -> None:
    found = touch_facts(
        timeline(
            (1, "sent", "out", None),
            (1, "replied", "in", None),  # at the very moment we sent: not an answer to it
            (1, "state_change", "none", "hot"),  # nor a move after it
            (2, "call", "in", None),  # an inbound call answers
        ),
        "warm",
    )
    assert found == {1: TouchFacts("warm", T0 + 2 * H)}


def test_only_touches_keep_facts_and_an_arrival_leaves_the_current_state() -> None:
    found = touch_facts(
        timeline(
            (1, "note", "none", None),
            (2, "sent", "out", None),
            (3, "state_change", "none", None),  # an arrival after the touch: no source
            (4, "replied", "in", None),
        ),
        "warm",
    )
    assert found == {2: TouchFacts("warm", T0 + 4 * H)}
    assert touch_facts([], "hot") == {}
