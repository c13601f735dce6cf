"""The sync apply benchmark runs at a tiny size: every operation is applied, the table prints."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.bench import sync_apply


def test_every_operation_of_device_a_is_applied_on_device_b(tmp_path: Path) -> None:
    result = sync_apply.bench(n_ops=400, n_leads=150, repeat=1, seed=3, tmp=tmp_path)
    assert [op["seq"] for op in result.ops] == list(range(1, 401))
    # The mix of a working day: leads made and edited, mostly events, some alerts.
    mix = Counter(f"{op['tbl']} {op['kind']}" for op in result.ops)
    assert mix["event insert"] > mix["lead update"] > mix["lead insert"] > 0
    assert mix["alert insert"] > 0
    assert len(result.reports["apply_all"]) == 1
    assert len(result.reports["apply_chunks"]) == 1  # 400 operations fit in one chunk
    for reports in result.reports.values():
        assert sum(r.applied for r in reports) == 400
        assert sum(r.skipped + r.waiting for r in reports) == 0
        assert len({lead for r in reports for lead in r.touched_leads}) >= mix["lead insert"]
    assert all(len(times) == 1 for times in result.times.values())


def test_the_report_names_every_measure_and_ends_with_the_verdict(tmp_path: Path) -> None:
    result = sync_apply.bench(n_ops=200, n_leads=100, repeat=2, seed=5, tmp=tmp_path)
    text = sync_apply.report(result, n_leads=100)
    lines = text.splitlines()
    assert lines[0].startswith("200 operations from device A")
    for name in sync_apply.ROWS:
        assert any(line.startswith(name) for line in lines), name
    assert lines[-1].startswith("applying 10,000 operations ≤ 2 s median: ")
    assert lines[-1].split(": ")[1].split()[0] in ("met", "MISSED")
