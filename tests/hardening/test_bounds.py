"""Every value has bounds, checked once in the domain: the CLI, the CSV import and the GUI
all refuse the same input with the same words, and nothing is written.

The test zone is Europe/Paris: on 29 March 2026 its clocks go from 02:00 to 03:00, and on
25 October 2026 from 03:00 back to 02:00.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from followthrough.domain.policy import RANGES, Policy
from followthrough.paths import DATABASE_NAME
from tests.cli.conftest import CliRunner
from tests.cli.test_bad_input import INVALID, NOT_FOUND, assert_refused

YEARS = "a date must fall between 1970 and 2199"


@pytest.fixture
def seeded(cli: CliRunner, data_dir: Path) -> Path:
    assert cli("add", "Ana Silva", "--email", "ana@acme.com").code == 0
    assert cli("add", "Zoé Lefèvre", "--company", "Café Noir").code == 0
    return data_dir


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        # Dates and times: within 1970-2199, and a wall-clock time that exists once.
        (["add", "Bob", "--next-step", "Call", "--due", "0001-01-01"], INVALID, YEARS),
        (["add", "Bob", "--next-step", "Call", "--due", "9999-12-31 23:59"], INVALID, YEARS),
        (["add", "Bob", "--next-step", "Call", "--due", "2200-01-01"], INVALID, YEARS),
        (["add", "Bob", "--next-step", "Call", "--due", "1969-12-31"], INVALID, YEARS),
        (["add", "Bob", "--next-step", "Call", "--due", "9999-12-31T23:59-05:00"], INVALID, YEARS),
        (["add", "Bob", "--next-step", "Call", "--due", "+9999w"], INVALID, YEARS),
        (["add", "Bob", "--next-step", "Call", "--due", "+9999mo"], INVALID, YEARS),
        (["log", "ana", "sent", "--at", "1900-01-01"], INVALID, YEARS),
        (["move", "ana", "recycle", "--until", "2500-06-01"], INVALID, YEARS),
        (["add", "Bob", "--next-step", "Call", "--due", "2026-03-29 02:30"], INVALID,
         "02:30 on Sun 29 Mar 2026 does not exist: the clocks go forward that night"),
        (["edit", "ana", "--next-step", "Call", "--due", "2026-10-25 02:30"], INVALID,
         "02:30 on Sun 25 Oct 2026 happens twice: the clocks go back that night"),
        # Ids: any integer a person types is looked up, and beyond any id it is not found.
        (["show", "99999999999999999999999"], NOT_FOUND, "no lead with id 99999999999999999999999"),
        (["show", "#9223372036854775808"], NOT_FOUND, "no lead with id 9223372036854775808"),
        (["log", "9" * 5000, "sent"], NOT_FOUND, "no lead with id 999999999999999999999999…"),
        (["done", "18446744073709551616"], NOT_FOUND, "no alert with id"),
        (["snooze", "#99999999999999999999", "--until", "tomorrow"], NOT_FOUND, "no alert with id"),
        (["show", "²"], NOT_FOUND, "no lead's name contains '²'"),
        # Text: no control or text-direction characters in any field.
        (["add", "Bob\x1b[2J"], INVALID, "the name contains a control character (U+001B)"),
        (["add", "Bob", "--company", "Ac\x07me"], INVALID, "the company contains a control character (U+0007)"),
        (["add", "Bob", "--company", "Ac\x9bme"], INVALID, "the company contains a control character (U+009B)"),
        (["add", "Bob\u202eevil"], INVALID, "the name contains a text-direction control (U+202E)"),
        (["add", "Bob", "--tag", "vip\u2066"], INVALID, "the tag contains a text-direction control (U+2066)"),
        (["add", "Bob", "--next-step", "Call\x00", "--due", "tomorrow"], INVALID,
         "the next step contains a control character (U+0000)"),
        (["edit", "ana", "--title", "Founder\x1b[7m"], INVALID, "the title contains a control character"),
        (["log", "ana", "sent", "--note", "hi\x1b[31m"], INVALID, "the note contains a control character (U+001B)"),
        (["move", "ana", "lost", "--reason", "budget\u202d"], INVALID, "the reason contains a text-direction control"),
        (["mail", "set-account", "--host", "imap.example.org", "--user", "ana\x1b[2J"], INVALID,
         "the user contains a control character (U+001B)"),
        (["mail", "set-account", "--host", "imap.example.org", "--user", "ana", "--inbox", "IN\u202eBOX"],
         INVALID, "the inbox contains a text-direction control"),
        # Policy numbers: finite, within the ranges the settings dialog shows.
        (["policy", "--set", "hot_silence_days=nan"], INVALID, "must be a number from 0.01 to 999, not 'nan'"),
        (["policy", "--set", "hot_silence_days=inf"], INVALID, "must be a number from 0.01 to 999"),
        (["policy", "--set", "stall_hours=1e20"], INVALID, "must be from 0.01 to 9999"),
        (["policy", "--set", "fade_days=1e-320"], INVALID, "must be from 0.01 to 999"),
        (["policy", "--set", "guard_touches=2.5"], INVALID, "must be a whole number from 1 to 99"),
        (["policy", "--set", "guard_touches=1000"], INVALID, "must be from 1 to 99"),
    ],
)  # fmt: skip
def test_out_of_bounds_input_is_refused(
    cli: CliRunner, seeded: Path, args: list[str], code: int, message: str
) -> None:
    assert_refused(cli, seeded, args, code, message)


def test_the_edges_of_the_range_are_kept(cli: CliRunner, seeded: Path) -> None:
    for due in ("1970-01-02", "2199-12-31 23:00", "2026-03-29 03:00", "2026-10-25 03:30"):
        result = cli("add", f"Edge {due}", "--next-step", "Call", "--due", due)
        assert result.code == 0, result.err
    shown = cli("show", "Edge 2199")
    assert "2199" in shown.out


def test_a_decomposed_accent_finds_a_composed_one(cli: CliRunner, seeded: Path) -> None:
    decomposed = "Zoe\u0301"
    assert cli("show", decomposed).code == 0
    listed = cli("list", "--search", "LEFE\u0300VRE")
    assert "Zoé Lefèvre" in listed.out
    # Stored composed whatever the keyboard typed, so exports and searches agree.
    assert cli("add", "Rene\u0301 Caf\u0065\u0301").code == 0
    assert "René Café" in cli("show", "rené").out


def test_search_keys_stored_before_are_recomposed(cli: CliRunner, seeded: Path) -> None:
    # An older version stored the key of a decomposed name as typed; the migration to
    # schema 0007 recomposes it, so the old lead is found by the composed spelling.
    path = seeded / DATABASE_NAME
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "UPDATE lead SET name = 'Noe\u0301mie', search_key = 'noe\u0301mie' WHERE id = 1"
        )
        conn.execute("UPDATE alembic_version SET version_num = '0006'")
        conn.commit()
    assert "Noe\u0301mie" in cli("list", "--search", "noémie").out


def test_the_settings_dialog_and_the_domain_share_one_table_of_ranges() -> None:
    from dataclasses import fields

    assert set(RANGES) == {f.name for f in fields(Policy)}
    for name, (low, high) in RANGES.items():
        assert Policy.from_json({name: low}) != Policy.from_json({name: high})
        # What an older version stored out of today's range is brought within it, never
        # refused at start-up, and never reaches the engine as nan.
        stored = Policy.from_stored({name: high * 10})
        assert getattr(stored, name) == high
        assert getattr(Policy.from_stored({name: "nan"}), name) == getattr(Policy(), name)


def test_the_sender_name_is_set_from_the_command_line(cli: CliRunner, seeded: Path) -> None:
    assert cli("log", "ana", "sent", "--at", "-10d").code == 0
    set_it = cli("preferences", "--set", "sender_name=Dana Reyes")
    assert set_it.code == 0, set_it.err
    assert "sender_name     Dana Reyes" in set_it.out
    assert cli("due").code == 0
    drafted = cli("draft", "ana")
    assert drafted.code == 0, drafted.err
    assert "\n\nBest,\nDana Reyes\n" in drafted.out
    assert_refused(cli, seeded, ["preferences", "--set", "quiet=maybe"], INVALID,
                   "quiet is on or off, not 'maybe'")  # fmt: skip
    assert_refused(cli, seeded, ["preferences", "--set", "sender_name=Dana\x1b[2J"], INVALID,
                   "control character")  # fmt: skip
