"""The drafting benchmark runs end to end and prints its table (timings are not judged here)."""

from __future__ import annotations

import pytest

from tests.bench import drafting


def test_the_benchmark_prints_a_row_per_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert drafting.main(["--repeat", "1", "--samples", "3", "--leads", "60"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["operation", "median", "ms"]
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert set(rows) == {"baseline", "choose+render+lint", "draft_for"}
    for row in rows.values():
        assert float(row[-3]) > 0  # median ms
    assert lines[-1].startswith("target: choose+render+lint ≤ 5 ms median: ")
