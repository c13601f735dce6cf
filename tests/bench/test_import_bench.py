"""The import benchmark runs end to end and prints its table (timings are not judged here)."""

from __future__ import annotations

import pytest

from tests.bench import imports


def test_the_benchmark_prints_a_row_per_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert imports.main(["--rows", "300", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "300 rows"
    assert lines[1].split()[:3] == ["operation", "median", "s"]
    rows = {line.split()[0]: line.split() for line in lines[2:-1]}
    assert set(rows) == {"csv.reader", "executemany", "import_csv"}
    assert float(rows["import_csv"][1]) > 0  # median s
    assert float(rows["import_csv"][3]) > 0  # median MB: the import holds a batch at a time
    assert lines[-1].startswith("target: import_csv ≤ 5 s median and ≤ 50 MB growth (")
    assert lines[-1].endswith((": PASS", ": FAIL"))
