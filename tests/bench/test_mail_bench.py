"""The mail benchmark runs end to end and prints its table (timings are not judged here)."""

from __future__ import annotations

import pytest

from tests.bench import mail


def test_the_benchmark_prints_a_row_per_measure(capsys: pytest.CaptureFixture[str]) -> None:
    assert mail.main(["--messages", "40", "--leads", "10", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # Half the messages come from leads: every one of them logged on the first pass.
    assert lines[0] == "40 messages, 10 leads, 20 logged per full pass (0 by signal rules)"
    assert lines[1].split()[:3] == ["operation", "median", "s"]
    rows = {line.split()[0]: line.split() for line in lines[2:-1]}
    assert set(rows) == set(mail.ROWS)
    for row in rows.values():
        assert float(row[1]) > 0  # median seconds
    assert lines[-1].startswith("target: full pass ≤ 10 s and nothing new ≤ 0.2 s median: ")
