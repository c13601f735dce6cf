"""`followthrough export`: a file (or stdout) in the chosen format, one line about it, clear refusals."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from followthrough.services.jsonimport import import_json
from followthrough.store.db import Database
from tests.cli.conftest import CliRunner
from tests.conftest import NOW


@pytest.fixture
def two_leads(cli: CliRunner) -> None:
    assert cli("add", "Chloé Dubois", "--company", "Éclair SAS", "--tag", "vip").code == 0
    assert cli("add", "Sven Berg", "--state", "warm").code == 0


@pytest.mark.usefixtures("two_leads")
def test_export_csv_writes_the_file_and_says_so(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "leads.csv"
    done = cli("export", "--format", "csv", "--output", str(out))
    assert (done.code, done.err) == (0, "")
    assert done.out == f"Exported 2 leads to {out}\n"
    with out.open(encoding="utf-8-sig", newline="") as handle:
        names = [row["Name"] for row in csv.DictReader(handle)]
    assert names == ["Chloé Dubois", "Sven Berg"]
    assert out.stat().st_mode & 0o777 == 0o600


@pytest.mark.usefixtures("two_leads")
def test_export_json_reports_counts_and_imports_elsewhere(
    cli: CliRunner, tmp_path: Path, other_db: Database
) -> None:
    out = tmp_path / "all.json"
    done = cli("export", "--format", "json", "--output", str(out), "--json")
    assert done.code == 0
    report = done.json()
    assert (report["path"], report["format"], report["leads"]) == (str(out), "json", 2)
    assert report["events"] >= 2
    assert import_json(other_db, out, NOW)["leads"] == 2


@pytest.mark.usefixtures("two_leads")
def test_without_output_the_file_is_named_after_the_moment_here(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    done = cli("export", "--format", "json")
    assert done.code == 0
    [made] = work.iterdir()
    assert made.name.startswith("followthrough-export-")
    assert made.suffix == ".json"
    assert done.out == f"Exported 2 leads to {made.name}\n"


@pytest.mark.usefixtures("two_leads")
def test_output_dash_writes_only_the_data_to_stdout(cli: CliRunner) -> None:
    done = cli("export", "--format", "csv", "--output", "-")
    assert done.code == 0
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert [row["Name"] for row in rows] == ["Chloé Dubois", "Sven Berg"]
    done = cli("export", "--format", "json", "--output", "-")
    assert [lead["name"] for lead in json.loads(done.out)["leads"]] == ["Chloé Dubois", "Sven Berg"]


def test_an_unknown_format_is_a_usage_error(cli: CliRunner, data_dir: Path) -> None:
    done = cli("export", "--format", "xlsx")
    assert done.code == 2
    assert len(done.err.splitlines()) == 1
    assert "invalid choice: 'xlsx'" in done.err
    assert not data_dir.exists()  # refused before the data folder was touched


def test_an_existing_file_is_never_replaced(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "mine.csv"
    out.write_text("my own sheet\n", encoding="utf-8")
    done = cli("export", "--format", "csv", "--output", str(out))
    assert done.code == 4
    assert done.err == f"followthrough: {out} already exists; choose another file name\n"
    assert out.read_text(encoding="utf-8") == "my own sheet\n"


def test_an_unwritable_folder_is_named(cli: CliRunner, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    # Root writes in any folder it owns; /proc takes no new files from anyone.
    folder = Path("/proc") if os.geteuid() == 0 else locked
    done = cli("export", "--format", "json", "--output", str(folder / "all.json"))
    assert done.code == 5
    assert done.err.startswith(f"followthrough: cannot write in {folder}: ")
    assert len(done.err.splitlines()) == 1


def test_a_missing_folder_is_named(cli: CliRunner, tmp_path: Path) -> None:
    done = cli("export", "--format", "json", "--output", str(tmp_path / "no" / "all.json"))
    assert done.code == 4
    assert done.err == f"followthrough: the folder {tmp_path / 'no'} does not exist\n"


@pytest.fixture
def other_db(tmp_path: Path) -> Database:
    from followthrough.paths import prepare_data_dir

    database = Database.open(prepare_data_dir(tmp_path / "other"), NOW)
    yield database  # type: ignore[misc]
    database.close()
