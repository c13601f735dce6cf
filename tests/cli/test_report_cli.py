"""`followthrough report`: the same numbers as the Insights window, for a terminal or a file."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from followthrough.domain.period import parse_since
from followthrough.paths import DataPaths
from followthrough.services.clock import local_zone, utcnow
from followthrough.services.insights.catalog import REPORTS, ReportKey, build_report
from followthrough.services.sample import load_sample
from followthrough.store.db import Database
from tests.cli.conftest import CliRunner

SINCE = "2026-01-01"  # a fixed start: the CLI's run and the test's own read see one period


@pytest.fixture
def sampled(data_paths: DataPaths) -> DataPaths:
    """The shipped sample: months of history, loaded as of now (the CLI reads the clock)."""
    db = Database.open(data_paths, utcnow())
    try:
        load_sample(db, utcnow())
    finally:
        db.close()
    return data_paths


@pytest.mark.parametrize("key", [spec.key for spec in REPORTS])
def test_each_report_prints_the_numbers_the_service_computes(
    cli: CliRunner, sampled: DataPaths, key: ReportKey
) -> None:
    result = cli("report", key.value, "--since", SINCE, "--json")
    assert result.code == 0, result.err
    printed = result.json()
    db = Database.open(sampled, utcnow())
    try:
        view = build_report(db, key, parse_since(SINCE, utcnow(), local_zone()), local_zone())
    finally:
        db.close()
    assert printed["report"] == key.value
    assert [f["text"] for f in printed["figures"]] == [f["text"] for f in view.to_json()["figures"]]
    assert [t["title"] for t in printed["tables"]] == [t.title for t in view.tables]
    assert any(t["rows"] for t in printed["tables"]), "the sample gives every report something"

    text = cli("report", key.value, "--since", SINCE)
    assert text.code == 0
    assert text.out.startswith(view.title + ":")
    for figure in view.to_json()["figures"]:
        assert figure["label"] in text.out

    table = cli("report", key.value, "--since", SINCE, "--csv")
    rows = list(csv.reader(io.StringIO(table.out)))
    assert rows[0][0] == "table"
    assert {row[0] for row in rows[1:] if row[0] != "table"} <= {t.title for t in view.tables}


def test_a_bad_period_or_two_formats_is_one_line_and_nothing_else(
    cli: CliRunner, sampled: DataPaths
) -> None:
    for args, needle in (
        (("--since", "tomorrow"), "--since must be in the past"),
        (("--since", "whenever"), "--since: cannot read 'whenever'"),
        (("--json", "--csv"), "choose one of --json, --csv and --html"),
    ):
        result = cli("report", "silence", *args)
        assert result.code != 0
        lines = result.err.strip().splitlines()
        assert len(lines) == 1, result.err
        assert needle in lines[0], result.err
        assert "Traceback" not in result.err
        assert result.out == ""


def test_the_default_period_is_the_report_s_own(cli: CliRunner, data_dir: Path) -> None:
    week = cli("report", "week", "--json").json()
    stalls = cli("report", "stalls", "--json").json()
    spans = [
        datetime.fromisoformat(r["until"]) - datetime.fromisoformat(r["since"])
        for r in (week, stalls)
    ]
    assert [span.days for span in spans] == [7, 90]


def test_the_weekly_review_is_written_as_one_html_file(
    cli: CliRunner, sampled: DataPaths, tmp_path: Path
) -> None:
    out = tmp_path / "review.html"
    result = cli("report", "week", "--html", str(out))
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    for spec in REPORTS:  # the week first, then every other report
        assert spec.title in page
    assert page.index("What moved this week") < page.index("Where silence happens")
    assert "<script" not in page
    assert "http://" not in page
    assert "https://" not in page
    assert out.stat().st_mode & 0o077 == 0  # private, like every export
    again = cli("report", "week", "--html", str(out))
    assert again.code != 0
    assert "already exists" in again.err
    assert cli("report", "week", "--html", str(out), "--overwrite").code == 0
