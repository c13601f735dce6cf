"""The export benchmark runs end to end and prints its table (timings are not judged here)."""

from __future__ import annotations

import pytest

from tests.bench import export


def test_the_benchmark_prints_a_row_per_export(capsys: pytest.CaptureFixture[str]) -> None:
    assert export.main(["--leads", "50", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("50 leads, ")
    assert lines[1].split()[:3] == ["operation", "median", "s"]
    rows = {line.split()[0]: line.split() for line in lines[2:-1]}
    assert set(rows) == {"baseline", "export_csv", "export_json"}
    for row in rows.values():
        assert float(row[1]) > 0  # median seconds
    assert lines[-1].startswith("target: each export ≤ 3 s median for 50 leads: ")
