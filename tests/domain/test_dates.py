"""Dates are worded in English from fixed tables, in the zone the caller names."""

from __future__ import annotations

import locale
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.dates import (
    calendar_day,
    clock_time,
    date_and_time,
    day_month,
    day_words,
    same_year,
)

PARIS = ZoneInfo("Europe/Paris")
TOKYO = ZoneInfo("Asia/Tokyo")
# Thursday 5 Nov 2026, 23:30 in Paris; already Friday 6 Nov, 07:30, in Tokyo.
MOMENT = datetime(2026, 11, 5, 22, 30, tzinfo=UTC)

WORDING = """
from datetime import UTC, datetime
from zoneinfo import ZoneInfo
from followthrough.domain.dates import clock_time, day_month, day_words, calendar_day
zone = ZoneInfo("Europe/Paris")
moment = datetime(2026, 11, 5, 22, 30, tzinfo=UTC)
print(day_month(moment, zone), day_words(calendar_day(moment, zone)), clock_time(moment, zone))
print(f"{moment:%a %b}")  # what strftime says under this locale, to show it is not English
"""


def test_the_wording_of_one_moment() -> None:
    assert day_month(MOMENT, PARIS) == "5 Nov"
    assert clock_time(MOMENT, PARIS) == "23:30"
    assert date_and_time(MOMENT, PARIS) == "2026-11-05 23:30"
    day = calendar_day(MOMENT, PARIS)
    assert day_words(day) == "Thu 5 Nov 2026"
    assert day_words(day, year=False) == "Thu 5 Nov"
    assert day_words(date(2027, 1, 5), year=False, padded=True) == "Tue 05 Jan"


def test_two_zones_word_the_same_instant_as_their_own_wall_clock() -> None:
    assert (day_month(MOMENT, PARIS), clock_time(MOMENT, PARIS)) == ("5 Nov", "23:30")
    assert (day_month(MOMENT, TOKYO), clock_time(MOMENT, TOKYO)) == ("6 Nov", "07:30")
    assert day_words(calendar_day(MOMENT, TOKYO)) == "Fri 6 Nov 2026"
    new_year = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert same_year(new_year, MOMENT, PARIS)
    assert not same_year(new_year, MOMENT, TOKYO)  # already 2027 there


def _french_environment(tmp_path: Path) -> dict[str, str]:
    """An environment whose LC_ALL is a French locale: an installed one, else one compiled
    into `tmp_path` (glibc reads LOCPATH), as most machines ship only C and English."""
    env = {**os.environ, "LANG": "fr_FR.UTF-8", "LC_ALL": "fr_FR.UTF-8"}
    try:
        previous = locale.setlocale(locale.LC_TIME)
        locale.setlocale(locale.LC_TIME, "fr_FR.UTF-8")
        locale.setlocale(locale.LC_TIME, previous)
        return env
    except locale.Error:
        pass
    localedef = shutil.which("localedef")
    if localedef is None:
        pytest.skip("no French locale is installed and localedef is missing")
    made = subprocess.run(
        [localedef, "-i", "fr_FR", "-f", "UTF-8", str(tmp_path / "fr_FR.UTF-8")],
        capture_output=True,
        check=False,
    )
    if not (tmp_path / "fr_FR.UTF-8").is_dir():
        pytest.skip(f"a French locale could not be made: {made.stderr.decode()[:200]}")
    return {**env, "LOCPATH": str(tmp_path)}


def test_the_wording_is_english_under_a_french_locale(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "src"
    env = {**_french_environment(tmp_path), "PYTHONPATH": str(source)}
    script = "import locale; locale.setlocale(locale.LC_ALL, '')\n" + WORDING
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    worded, strftime_words = result.stdout.splitlines()
    assert strftime_words == "jeu. nov.", "the locale is not in force: the test proves nothing"
    assert worded == "5 Nov Thu 5 Nov 2026 23:30"
