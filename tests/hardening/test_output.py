"""What the CLI prints is safe to print: stored text cannot drive the terminal or spoof it.

Hostile text is written straight into the database, the way data from an older version,
an import or a mail header arrives: the CLI may refuse such text at entry, but it has to
show whatever is already there.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from followthrough.cli.termsafe import one_line
from tests.cli.conftest import CliRunner

# Never raw on a terminal: controls, format characters (bidi, invisible), surrogates,
# line and paragraph separators.
HIDDEN = ("Cc", "Cf", "Cs", "Zl", "Zp")

# (case, stored text, how people see it)
HOSTILE = [
    ("clear screen", "Eve\x1b[2J", "Eve\\x1b[2J"),
    ("OSC 52 clipboard", "Eve\x1b]52;c;aGk=\x07", "Eve\\x1b]52;c;aGk=\\x07"),
    ("C1 CSI", "Eve\x9b2J", "Eve\\x9b2J"),
    ("bell", "Eve\x07", "Eve\\x07"),
    ("backspace", "Mallory\x08\x08\x08Eve", "Mallory\\x08\\x08\\x08Eve"),
    ("carriage return", "Mallory\rEve", "Mallory\\rEve"),
    ("right-to-left override", "Eve\u202etxt.exe", "Eve\\u202etxt.exe"),
    ("zero-width joiner", "E\u200dve", "E\\u200dve"),
    ("line break and tab", "Eve\nLine\tTab", "Eve\\nLine\\tTab"),
    ("DEL and line separator", "Eve\x7f\u2028", "Eve\\x7f\\u2028"),
]
HOSTILE_CASES = [pytest.param((text, shown), id=case) for case, text, shown in HOSTILE]


def store(data_dir: Path, table: str, row_id: int, **fields: str) -> None:
    """Write text into a row as it stands, past every check the CLI makes."""
    connection = sqlite3.connect(data_dir / "followthrough.sqlite3")
    with connection:
        for column, value in fields.items():
            connection.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, row_id))
    connection.close()


def hidden_in(text: str, allowed: str = "\n") -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text
            if unicodedata.category(ch) in HIDDEN and ch not in allowed]  # fmt: skip


def add(cli: CliRunner, name: str, *extra: str) -> int:
    added = cli("add", name, *extra, "--json")
    assert added.code == 0, added.err
    return int(added.json()["id"])


@dataclass
class Hostile:
    hot: int  # overdue, so it has an alert
    lost: int  # in the archive
    text: str  # each lead's name, company and next step
    shown: str


@pytest.fixture
def hostile(request: pytest.FixtureRequest, cli: CliRunner, data_dir: Path) -> Hostile:
    text, shown = request.param
    hot = add(cli, "Placeholder One", "--company", "Acme", "--next-step", "Call", "--due", "-1d")
    lost = add(cli, "Placeholder Two")
    assert cli("move", str(lost), "lost", "--reason", "went quiet").code == 0
    for lead in (hot, lost):
        store(data_dir, "lead", lead, name=text, company=text, next_step=text, search_key="eve")
    assert cli("due").code == 0  # raises the overdue alert; its reason quotes the next step
    return Hostile(hot, lost, text, shown)


# (command, its words, does the output show the name whole?, harmless controls it keeps)
HUMAN_COMMANDS = [
    ("list", ["list"], True, "\n"),
    ("list all", ["list", "--state", "all"], True, "\n"),
    ("show", ["show", "{hot}"], True, "\n"),
    ("archive", ["archive"], True, "\n"),
    ("alerts", ["alerts"], True, "\n"),
    ("due", ["due"], True, "\n"),
    ("edit", ["edit", "{hot}", "--title", "CTO"], True, "\n"),
    ("move", ["move", "{hot}", "warm"], True, "\n"),
    # A draft is text to send: its lines and tabs stay (the name's too), nothing else.
    ("draft", ["draft", "{hot}"], False, "\n\t"),
]


@pytest.mark.parametrize("hostile", HOSTILE_CASES, indirect=True)
@pytest.mark.parametrize(("command", "words", "names", "kept"), HUMAN_COMMANDS,
                         ids=[c for c, _, _, _ in HUMAN_COMMANDS])  # fmt: skip
def test_people_see_hostile_text_as_visible_escapes(
    cli: CliRunner, hostile: Hostile, command: str, words: list[str], names: bool, kept: str
) -> None:
    done = cli(*(word.format(hot=hostile.hot) for word in words))
    assert done.code == 0, done.err
    assert hidden_in(done.out, allowed=kept) == []
    assert done.err == ""
    if names:  # still there to read, each hidden character spelled out
        assert hostile.shown in done.out


Pick = Callable[[Any, Hostile], Any]

# (command, its words, where the hostile text is in the JSON)
JSON_COMMANDS: list[tuple[str, list[str], Pick]] = [
    ("list", ["list", "--json"], lambda data, h: data[0]["name"]),
    ("show", ["show", "{hot}", "--json"], lambda data, h: data["next_step"]),
    ("archive", ["archive", "--json"], lambda data, h: data[0]["company"]),
    ("alerts", ["alerts", "--json"], lambda data, h: data[0]["lead_name"]),
    ("due", ["due", "--json"], lambda data, h: data[0]["lead_name"]),
    ("edit", ["edit", "{hot}", "--title", "CTO", "--json"], lambda data, h: data["name"]),
    ("draft", ["draft", "{hot}", "--json"],  # the body quotes the next step
     lambda data, h: h.text if h.text in data["body"] else data["body"]),
    ("export", ["export", "--format", "json", "--output", "-"],
     lambda data, h: next(r["company"] for r in data["leads"] if r["id"] == h.lost)),
]  # fmt: skip


@pytest.mark.parametrize("hostile", HOSTILE_CASES, indirect=True)
@pytest.mark.parametrize(("command", "words", "pick"), JSON_COMMANDS,
                         ids=[c for c, _, _ in JSON_COMMANDS])  # fmt: skip
def test_json_escapes_hidden_characters_and_reads_back_the_same(
    cli: CliRunner, hostile: Hostile, command: str, words: list[str], pick: Pick
) -> None:
    done = cli(*(word.format(hot=hostile.hot) for word in words))
    assert done.code == 0, done.err
    assert hidden_in(done.out) == []  # the indent's line breaks are its only controls
    assert pick(json.loads(done.out), hostile) == hostile.text


@pytest.mark.parametrize("hostile", HOSTILE_CASES, indirect=True)
def test_an_error_quoting_stored_names_is_one_escaped_line(
    cli: CliRunner, hostile: Hostile
) -> None:
    refused = cli("show", "e")  # both leads answer: the error names them
    assert refused.code == 3
    assert refused.out == ""
    assert hidden_in(refused.err) == []
    assert refused.err.count("\n") == 1
    assert f"#{hostile.hot} {hostile.shown} ({hostile.shown})" in refused.err


# (case, what was typed, how the error shows it)
TYPED = [
    ("no such lead", ["show", "zz\x1b[2J"], "zz\\x1b[2J"),
    ("unknown state", ["list", "--state", "\x9b2Jhot"], "\\x9b2Jhot"),
    ("argparse choice", ["export", "--format", "\x1b]52;c;aGk=\x07"], "\\x1b]52;c;aGk=\\x07"),
    ("right-to-left", ["show", "\u202eevE"], "\\u202eevE"),
]


@pytest.mark.parametrize(("case", "words", "shown"), TYPED, ids=[c for c, _, _ in TYPED])
def test_an_error_quoting_what_was_typed_is_one_escaped_line(
    cli: CliRunner, case: str, words: list[str], shown: str
) -> None:
    refused = cli(*words)
    assert refused.code != 0
    assert hidden_in(refused.err) == []
    assert refused.err.count("\n") == 1
    # Whichever check refuses it (entry or lookup), what it quotes is visible.
    assert shown in refused.err or "\\" not in refused.err


def test_a_note_keeps_its_lines_under_its_first(cli: CliRunner, data_dir: Path) -> None:
    lead = add(cli, "Ana Silva")
    logged = cli("log", str(lead), "note", "--note", "placeholder", "--json")
    event = int(logged.json()["event"]["id"])
    store(data_dir, "event", event, text="Budget is\r\nfine\x1b[31m for Q1\n\tsee deck\x07")
    lines = cli("show", str(lead)).out.splitlines()
    first = next(i for i, line in enumerate(lines) if "Budget is" in line)
    assert lines[first].endswith("· note: Budget is")
    column = lines[first].index("Budget")
    assert lines[first + 1 : first + 3] == [
        " " * column + "fine\\x1b[31m for Q1",
        " " * column + "\tsee deck\\x07",
    ]


def test_every_hidden_character_of_this_unicode_is_escaped() -> None:
    hidden = "".join(chr(code) for code in range(sys.maxunicode + 1)
                     if unicodedata.category(chr(code)) in HIDDEN)  # fmt: skip
    assert hidden_in(one_line(hidden), allowed="") == []


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("👨\u200d👩\u200d👧 Lee", id="emoji family"),
        pytest.param("क्\u200dष Rao", id="Devanagari conjunct"),
        pytest.param("می\u200cخواهم", id="Persian non-joiner"),
    ],
)
def test_joiners_that_join_letters_are_kept(cli: CliRunner, data_dir: Path, name: str) -> None:
    lead = add(cli, "Placeholder")
    store(data_dir, "lead", lead, name=name)
    assert name in cli("list").out
    assert name in cli("show", str(lead)).out


# --- columns line up -----------------------------------------------------------------


def columns(text: str) -> int:
    """Terminal columns by a rule of this test's own: wide 2, combining and format 0."""
    return sum(
        0
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf"
        else 2
        if unicodedata.east_asian_width(ch) in "WF"
        else 1
        for ch in text
    )


def test_columns_line_up_with_wide_and_combining_names(cli: CliRunner) -> None:
    companies = {"山田太郎": "株式会社", "Zoe\u0301 Lef\u0300vre": "Éditions", "Ann Lee": "Acme"}
    for name, company in companies.items():
        add(cli, name, "--company", company, "--next-step", "Call")
    header, *rows = cli("list").out.splitlines()
    assert len(rows) == 3
    # Hand-counted: ID (2), STATE (5) and the widest name, "Zoé Lefèvre" (10), two apart.
    assert header.index("COMPANY") == 2 + 2 + 5 + 2 + 10 + 2
    company_starts = {
        columns(row[: row.index(company)])
        for row in rows
        for company in companies.values()
        if company in row
    }
    assert company_starts == {header.index("COMPANY")}
    assert {columns(row[: row.index("Call")]) for row in rows} == {header.index("NEXT STEP")}


FAMILY = "👨\u200d👩\u200d👧"
# (case, long name, how its 28-column NAME cell starts)
LONG_NAMES = [
    ("wide", "山田太郎" * 5, "山田太郎" * 3 + "山" + "… "),  # 26 columns: no half 山 fits
    ("combining", "e\u0301" * 40, "e\u0301" * 27 + "…"),
    ("emoji sequence", (FAMILY + " ") * 10, (FAMILY + " ") * 3 + FAMILY + "…"),
    ("escapes", "Eve\x1b[2J" * 5, "Eve\\x1b[2J" * 2 + "Eve\\x1b" + "…"),  # never \x1…
]


@pytest.mark.parametrize(("case", "name", "cell"), LONG_NAMES, ids=[c for c, _, _ in LONG_NAMES])
def test_long_names_are_cut_by_columns_and_never_mid_character(
    cli: CliRunner, data_dir: Path, case: str, name: str, cell: str
) -> None:
    lead = add(cli, "Placeholder", "--company", "Acme")
    add(cli, "Bo", "--company", "Acme")
    store(data_dir, "lead", lead, name=name)
    header, *rows = cli("list").out.splitlines()
    row = next(row for row in rows if row.startswith(f"{lead} "))
    assert row[header.index("NAME") :].startswith(cell + "  Acme")
    assert header.index("COMPANY") == 2 + 2 + 5 + 2 + 28 + 2
    assert {columns(row[: row.index("Acme")]) for row in rows} == {header.index("COMPANY")}
