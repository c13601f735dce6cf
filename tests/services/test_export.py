"""Exports and the JSON import: what a spreadsheet shows, and a round trip that loses nothing."""

from __future__ import annotations

import codecs
import csv
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from followthrough.domain import csvcolumns, csvread, csvsniff
from followthrough.domain.leads import NewLead
from followthrough.domain.states import State
from followthrough.errors import InvalidData, NotFound
from followthrough.paths import DataPaths, prepare_data_dir
from followthrough.services import alerts, export, policy, templates
from followthrough.services.export import (
    CSV_HEADINGS,
    default_file_name,
    export_csv,
    export_json,
)
from followthrough.services.jsonimport import import_json, looks_like_export
from followthrough.services.leads import add_lead
from followthrough.services.sample import load_sample, read_sample
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.support.snapshot import file_rows

# The tables an export holds, in the order of its sections.
EXPORTED = ("lead", "event", "alert", "template", "setting")


def _add(db: Database, name: str, **fields: object) -> None:
    add_lead(db, NewLead.create(name=name, now=NOW, **fields), NOW)  # type: ignore[arg-type]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table an export holds, read straight from the file."""
    rows = file_rows(path)
    return {t: rows[t] for t in EXPORTED}


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Database]:
    """A second, empty data folder to import into."""
    database = Database.open(prepare_data_dir(tmp_path / "other"), NOW)
    yield database
    database.close()


def rich_leads() -> int:
    """The leads of `rich`: the shipped sample's and Chloé."""
    return len(read_sample()) + 1


@pytest.fixture
def rich(db: Database) -> Database:
    """The sample pipeline ticked (alerts), a user template and a changed policy."""
    load_sample(db, now=NOW)
    alerts.tick(db, NOW + timedelta(days=3))
    templates.duplicate_template(db, templates.builtin_templates()[0].slug)
    policy.update_policy(db, {"hot_silence_days": 3}, NOW)
    _add(db, "Chloé Dubois", company="Éclair SAS", email="chloe@eclair.example",
         tags=["vip", "q1"])  # fmt: skip
    return db


# --- CSV ----------------------------------------------------------------------------------


def test_csv_has_a_row_per_lead_with_readable_cells(db: Database, tmp_path: Path) -> None:
    due = NOW + timedelta(days=2)
    _add(db, "Chloé Dubois", company="Éclair SAS", email="chloe@eclair.example",
         phone="+33 6 12 34 56 78", next_step="Send the pilot plan", next_step_due=due,
         tags=["vip", "q1"])  # fmt: skip
    _add(db, "Sven Berg", state=State.RECYCLE, recycle_until=NOW + timedelta(days=30),
         recycle_reason="Budget opens in spring")  # fmt: skip
    out = tmp_path / "leads.csv"

    assert export_csv(db, out, NOW) == 2

    assert out.read_bytes().startswith(codecs.BOM_UTF8)  # Excel then reads "é" right
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == CSV_HEADINGS
    chloe, sven = _csv_rows(out)
    assert (chloe["Name"], chloe["Company"], chloe["State"]) == (
        "Chloé Dubois",
        "Éclair SAS",
        "Hot",
    )
    assert chloe["Tags"] == "vip; q1"
    assert chloe["Next step"] == "Send the pilot plan"
    assert chloe["Due"] == "2026-11-25T10:00:00+00:00"
    assert chloe["Created"] == "2026-11-23T10:00:00+00:00"
    assert chloe["Phone"] == "'+33 6 12 34 56 78"  # a leading + would run as a formula
    assert (sven["State"], sven["Recycle reason"]) == ("Recycle", "Budget opens in spring")
    assert sven["Recycle until"] == "2026-12-23T10:00:00+00:00"
    assert sven["Due"] == sven["Tags"] == ""


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_cells_that_a_spreadsheet_would_run_stay_text(
    db: Database, tmp_path: Path, evil: str
) -> None:
    _add(db, evil, company=evil)
    out = tmp_path / "leads.csv"
    export_csv(db, out, NOW)
    [row] = _csv_rows(out)
    assert row["Name"] == row["Company"] == "'" + evil


def test_csv_reads_back_through_the_csv_import(rich: Database, tmp_path: Path) -> None:
    out = tmp_path / "leads.csv"
    count = export_csv(rich, out, NOW)
    data = out.read_bytes()
    fmt = csvsniff.sniff(data[: csvsniff.SNIFF_BYTES])
    with out.open("rb") as handle:
        rows = list(csvread.read_rows(handle, fmt))
    mapping = csvcolumns.map_columns(list(fmt.columns))
    read = [csvread.lead_fields(row, mapping) for row in rows]

    with closing(sqlite3.connect(rich.path)) as conn:
        stored = conn.execute("SELECT name, email, company, state FROM lead ORDER BY id").fetchall()
    assert count == len(stored) == len(read) == rich_leads()
    assert [(r["name"], r.get("email"), r.get("company"), r["state"].lower()) for r in read] == [
        tuple(row) for row in stored
    ]
    assert read[-1]["tags"] == "vip, q1"


def test_an_export_is_private_and_never_replaces_a_file(db: Database, tmp_path: Path) -> None:
    _add(db, "Ana Silva")
    out = tmp_path / "leads.csv"
    export_csv(db, out, NOW)
    assert out.stat().st_mode & 0o777 == 0o600
    before = out.read_bytes()

    with pytest.raises(InvalidData, match="already exists; choose another"):
        export_csv(db, out, NOW)
    with pytest.raises(InvalidData, match="already exists"):
        export_json(db, out, NOW)
    assert out.read_bytes() == before
    assert export_csv(db, out, NOW, overwrite=True) == 1  # the save dialog asked already
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["leads.csv"]


def test_an_export_into_a_missing_folder_says_so(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidData, match="does not exist"):
        export_json(db, tmp_path / "nowhere" / "all.json", NOW)


def test_the_default_file_name_is_in_local_time() -> None:
    # 10:00 UTC is 11:00 in Paris.
    assert default_file_name("json", NOW) == "followthrough-export-20261123-1100.json"


# --- JSON ---------------------------------------------------------------------------------


def test_json_holds_every_table_with_every_column(rich: Database, tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    counts = export_json(rich, out, NOW)
    data = json.loads(out.read_text(encoding="utf-8"))

    from followthrough.store.migrate import SCHEMA_HEAD

    assert (data["format"], data["version"], data["schema"]) == (
        "followthrough-export",
        1,
        SCHEMA_HEAD,
    )
    assert data["exported_at"] == "2026-11-23T10:00:00.000000Z"
    stored = _dump(rich.path)
    sections = dict(zip(("leads", "events", "alerts", "templates", "settings"), EXPORTED,
                        strict=True))  # fmt: skip
    for section, table in sections.items():
        assert counts[section] == len(data[section]) == len(stored[table]) > 0, section
    with closing(sqlite3.connect(rich.path)) as conn:
        lead_columns = [row[1] for row in conn.execute("PRAGMA table_info(lead)")]
    chloe = data["leads"][-1]
    assert sorted(chloe) == sorted(lead_columns)
    assert (chloe["name"], chloe["tags"], chloe["state"]) == ("Chloé Dubois", ["vip", "q1"], "hot")
    assert chloe["created_at"] == "2026-11-23T10:00:00.000000Z"
    assert data["templates"][0]["builtin"] is False
    assert {s["key"] for s in data["settings"]} >= {"policy", "sample_leads"}
    assert out.stat().st_mode & 0o777 == 0o600
    assert looks_like_export(out)


def test_round_trip_export_import_export_is_identical(
    rich: Database, other: Database, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    counts = export_json(rich, first, NOW)

    assert import_json(other, first, NOW) == counts
    export_json(other, second, NOW + timedelta(hours=1))

    def without_stamp(path: Path) -> list[str]:
        return [line for line in path.read_text(encoding="utf-8").splitlines()
                if not line.startswith('"exported_at"')]  # fmt: skip

    assert without_stamp(first) == without_stamp(second)
    assert first.read_bytes() != second.read_bytes()  # only the stamp differs
    assert _dump(other.path) == _dump(rich.path)


def test_pages_join_into_the_same_file_whatever_their_size(
    rich: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole, paged = tmp_path / "whole.json", tmp_path / "paged.json"
    export_json(rich, whole, NOW)
    monkeypatch.setattr(export, "BATCH", 4)  # many pages per section
    export_json(rich, paged, NOW)
    assert paged.read_bytes() == whole.read_bytes()
    assert export_csv(rich, tmp_path / "paged.csv", NOW) == rich_leads()


def test_import_into_a_folder_with_leads_is_refused_and_changes_nothing(
    rich: Database, db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "all.json"
    export_json(rich, out, NOW)
    before = file_rows(db.path)
    with pytest.raises(
        InvalidData,
        match=f"only into an empty data folder: this one already has {rich_leads()} leads",
    ):
        import_json(db, out, NOW)
    assert file_rows(db.path) == before


def _damage(text: str, how: str) -> str:
    if how == "truncated":
        return text[: len(text) // 2]
    if how == "wrong format":
        return text.replace('"followthrough-export"', '"something-else"', 1)
    if how == "bad time":
        return text.replace('"created_at":"2026-', '"created_at":"yesterday-', 1)
    if how == "missing key":
        return text.replace('"kind":', '"kinds":', 1)
    if how == "orphan event":
        return text.replace('{"id":1,"lead_id":1,', '{"id":1,"lead_id":999,', 1)
    raise AssertionError(how)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated", "is not a complete JSON file"),
        ("wrong format", "that JSON file is not a Followthrough export"),
        (
            "bad time",
            r"leads record 1 \(id 1\) 'created_at': 'yesterday-.*' is not an ISO 8601 time",
        ),
        ("missing key", r"events record 1 \(id 1\) has an unknown field 'kinds'"),
        ("orphan event", "do not fit together"),
    ],
)
def test_a_damaged_export_changes_nothing(
    rich: Database, other: Database, tmp_path: Path, how: str, message: str
) -> None:
    good = tmp_path / "all.json"
    export_json(rich, good, NOW)
    bad = tmp_path / "bad.json"
    bad.write_text(_damage(good.read_text(encoding="utf-8"), how), encoding="utf-8")
    before = file_rows(other.path)
    with pytest.raises(InvalidData, match=message):
        import_json(other, bad, NOW)
    assert file_rows(other.path) == before


def test_import_names_a_missing_file_and_recognises_exports(
    tmp_path: Path, other: Database
) -> None:
    with pytest.raises(NotFound):
        import_json(other, tmp_path / "gone.json", NOW)
    sheet = tmp_path / "leads.csv"
    sheet.write_text("Name,Email\nAna,ana@example.com\n", encoding="utf-8")
    assert not looks_like_export(sheet)
    bom = tmp_path / "bom.json"
    bom.write_bytes(codecs.BOM_UTF8 + b'\n  {"format": 1}')
    assert looks_like_export(bom)
    assert not looks_like_export(tmp_path / "gone.json")


def test_an_empty_database_exports_and_imports(db: Database, data_paths: DataPaths,
                                                other: Database, tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "empty.json"
    assert export_json(db, out, NOW) == dict.fromkeys(
        ("leads", "events", "alerts", "templates", "settings", "match_skips", "meetings"), 0
    )
    assert json.loads(out.read_text(encoding="utf-8"))["leads"] == []
    assert import_json(other, out, NOW)["leads"] == 0
