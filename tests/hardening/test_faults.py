"""Faults named for what they are, with real faults: a full disk (a filled tmpfs), a folder
nobody may write to (chattr +i, or mode bits when not root), standard input as a file, and
text files with bytes of another encoding.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from followthrough.domain.csvsniff import SNIFF_BYTES
from followthrough.paths import DATABASE_NAME
from tests.cli.conftest import CliRunner
from tests.cli.test_bad_input import INVALID, STORAGE, assert_refused
from tests.support.fulldisk import run_on_full_disk
from tests.support.readonly import read_only_folder
from tests.support.snapshot import database_rows

WRITES = [["add", "Bob"], ["log", "ana", "sent"], ["move", "ana", "warm"],
          ["policy", "--set", "hot_silence_days=3"]]  # fmt: skip
READS = [["list"], ["show", "ana"], ["archive"], ["alerts"], ["doctor"], ["backups"],
         ["policy"], ["export", "--format", "csv", "--output", "-"],
         ["export", "--format", "json", "--output", "-"]]  # fmt: skip


@pytest.fixture
def seeded(cli: CliRunner, data_dir: Path) -> Path:
    assert cli("add", "Ana Silva", "--email", "ana@acme.com", "--company", "Acme").code == 0
    assert cli("log", "ana", "sent", "--note", "Pilot plan").code == 0
    assert cli("backup").code == 0
    return data_dir


def test_a_full_disk_is_named_and_reading_still_works(seeded: Path, tmp_path: Path) -> None:
    found = run_on_full_disk(tmp_path, seeded, WRITES + READS)
    data = found["data"]
    for result in found["results"][: len(WRITES)]:
        assert result["code"] == STORAGE, result
        assert result["err"].count("\n") == 1, result
        assert result["err"].startswith(
            f"followthrough: no space left on the disk that holds {data}"
        ), result
        assert "damaged" not in result["err"]
        assert "SQL" not in result["err"]
    for result in found["results"][len(WRITES) :]:
        assert result["code"] == 0, result
        assert result["err"] == "", result
    listed, shown = found["results"][len(WRITES)]["out"], found["results"][len(WRITES) + 1]["out"]
    assert "Ana Silva" in listed
    assert "Pilot plan" in shown
    exported = json.loads(found["results"][-1]["out"])
    assert [lead["name"] for lead in exported["leads"]] == ["Ana Silva"]


def test_a_read_only_folder_still_reads(cli: CliRunner, seeded: Path) -> None:
    before = database_rows(seeded)
    with read_only_folder(seeded):
        for args in READS:
            result = cli(*args)
            assert result.code == 0, (args, result.err)
        assert "Ana Silva" in cli("list").out
        refused = cli("add", "Bob")
    assert refused.code == STORAGE
    assert f"the data folder {seeded} is not writable" in refused.err
    assert database_rows(seeded) == before


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_data_folder_is_refused(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank: str
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    result = cli("--data-dir", blank, "list")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert not home.exists()


def test_import_dash_reads_standard_input(
    cli: CliRunner, seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Name,Email\nCleo,cleo@b.io\n")))
    result = cli("import", "-")
    assert result.code == 0, result.err
    assert "Imported standard-input: 1 lead added." in result.out
    assert "Cleo" in cli("list").out
    # A whole export, piped from one folder into an empty one.
    exported = cli("export", "--format", "json", "--output", "-").out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(exported.encode())))
    elsewhere = cli("--data-dir", str(tmp_path / "copy"), "import", "-")
    assert elsewhere.code == 0, elsewhere.err
    assert "Cleo" in cli("--data-dir", str(tmp_path / "copy"), "list").out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # UTF-8 for as far as the format is guessed from, then a byte of Windows-1252 (an
        # "é" pasted from another program).
        (b"Name,Company\n" + "Zoé,Café\n".encode() * (SNIFF_BYTES // 10 + 1)
         + b"Cleo,Caf\xe9 Noir\n",
         f"line {SNIFF_BYTES // 10 + 3}: the text is not valid UTF-8 (the byte 0xE9 is from "
         "another encoding)"),
        # Windows-1252 in its first lines, then a line of UTF-8: read either way, half of
        # it would be mojibake ("CafÃ©").
        (b"Name,Company\nBo,Caf\xe9 Noir\n" + "Zoé Lefèvre,Café\n".encode(),
         "line 3: this line is UTF-8 but other lines of the file are not"),
    ],
)  # fmt: skip
def test_a_file_mixing_encodings_is_refused_with_its_line(
    cli: CliRunner, seeded: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(content)
    assert_refused(cli, seeded, ["import", str(mixed)], INVALID, message)


def test_a_windows_1252_file_alone_is_read_as_such(
    cli: CliRunner, seeded: Path, tmp_path: Path
) -> None:
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(b"Name,Company\nBo,Caf\xe9 Noir\nZo\xe9,Cr\xe8me\n")
    assert cli("import", str(legacy)).code == 0
    listed = cli("list").out
    assert "Café Noir" in listed
    assert "Crème" in listed


def test_the_database_itself_is_never_in_the_way(seeded: Path) -> None:
    # Sanity for the fixture the fault tests copy: a real database with a backup beside it.
    assert (seeded / DATABASE_NAME).stat().st_size > 0
    assert any((seeded / "backups").iterdir())
    assert shutil.disk_usage(seeded).free > 0
