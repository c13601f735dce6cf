"""Announcing new alerts: quiet means quiet, work hours are honoured, a burst is one summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.announce import Announcement, AnnouncePlan, plan_announcements
from followthrough.domain.preferences import Preferences

PARIS = ZoneInfo("Europe/Paris")
MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Paris


@dataclass(frozen=True)
class Raised:
    id: int
    lead_id: int
    lead_name: str
    reason: str


def raised(*names: str) -> list[Raised]:
    return [Raised(i, 100 + i, name, f"{name} went quiet") for i, name in enumerate(names, 1)]


def test_one_alert_is_announced_with_its_lead_and_reason() -> None:
    plan = plan_announcements(raised("Ana Silva"), Preferences(), MONDAY_NOON, PARIS)
    assert plan == AnnouncePlan(now=(Announcement("Ana Silva", "Ana Silva went quiet", 1, 101),))
    assert plan.now[0].actionable


def test_three_alerts_are_three_notifications() -> None:
    plan = plan_announcements(raised("Ana", "Bo", "Cy"), Preferences(), MONDAY_NOON, PARIS)
    assert [a.title for a in plan.now] == ["Ana", "Bo", "Cy"]


@pytest.mark.parametrize(
    ("names", "title", "body"),
    [
        (
            ("Ana Silva", "Bo Chen", "Cy Diaz", "Di Eng"),
            "4 leads need you",
            "Ana Silva, Bo Chen and 2 more",
        ),
        (("Ana", "Bo", "Cy", "Di", "Ed"), "5 leads need you", "Ana, Bo and 3 more"),
    ],
)
def test_more_than_three_become_one_summary(names: tuple[str, ...], title: str, body: str) -> None:
    plan = plan_announcements(raised(*names), Preferences(), MONDAY_NOON, PARIS)
    assert plan.now == (Announcement(title, body),)
    assert not plan.now[0].actionable  # the summary opens Today, it acts on nothing


def test_a_summary_counts_leads_not_alerts() -> None:
    alerts = [Raised(i, 7 if i < 4 else 8, "Ana" if i < 4 else "Bo", "why") for i in range(1, 6)]
    (only,) = plan_announcements(alerts, Preferences(), MONDAY_NOON, PARIS).now
    assert (only.title, only.body) == ("2 leads need you", "Ana and Bo")
    same = [Raised(i, 7, "Ana", "why") for i in range(1, 5)]
    (one_lead,) = plan_announcements(same, Preferences(), MONDAY_NOON, PARIS).now
    assert one_lead == Announcement("Ana needs you", "4 new alerts", None, 7)


def test_quiet_mode_and_notifications_off_announce_nothing_ever() -> None:
    night = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    for prefs in (Preferences(quiet=True), Preferences(notifications=False)):
        for moment in (MONDAY_NOON, night):
            assert plan_announcements(raised("Ana"), prefs, moment, PARIS) == AnnouncePlan()


def test_nothing_raised_means_nothing_to_say() -> None:
    assert plan_announcements([], Preferences(), MONDAY_NOON, PARIS) == AnnouncePlan()


def test_alerts_in_the_evening_wait_for_the_next_morning() -> None:
    evening = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)  # 20:30 in Paris
    plan = plan_announcements(raised("Ana", "Bo"), Preferences(), evening, PARIS)
    assert plan.now == ()
    assert plan.later == (1, 2)
    assert plan.later_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Paris


def test_alerts_on_friday_night_wait_for_monday_across_the_dst_change() -> None:
    friday_night = datetime(2026, 3, 27, 20, 0, tzinfo=UTC)  # 21:00 CET
    plan = plan_announcements(raised("Ana"), Preferences(), friday_night, PARIS)
    # Summer time starts on Sunday 29 March: Monday's 09:00 is 07:00 UTC, not 08:00.
    assert plan.later_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (datetime(2026, 3, 27, 7, 30, tzinfo=UTC), False),  # Friday 08:30 CET
        (datetime(2026, 3, 30, 7, 30, tzinfo=UTC), True),  # Monday 09:30 CEST
        (datetime(2026, 3, 30, 16, 30, tzinfo=UTC), False),  # Monday 18:30 CEST
        (datetime(2026, 3, 27, 16, 30, tzinfo=UTC), True),  # Friday 17:30 CET
    ],
)
def test_working_hours_are_read_on_the_local_clock(moment: datetime, working: bool) -> None:
    plan = plan_announcements(raised("Ana"), Preferences(), moment, PARIS)
    assert bool(plan.now) is working
    assert (plan.later_at is None) is working


def test_the_weekend_is_not_working_time_unless_chosen() -> None:
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert plan_announcements(raised("Ana"), Preferences(), saturday, PARIS).now == ()
    every_day = Preferences(work_days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    assert plan_announcements(raised("Ana"), every_day, saturday, PARIS).now != ()
