"""The sync folder benchmark runs, and a year of a busy founder's work fits in 20 MB."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from followthrough.services.sync.folder import SyncFolder
from tests.bench import sync_folder


def test_the_simulated_year_has_the_mix_of_a_real_one() -> None:
    ops = list(sync_folder.year_of_ops(5000))
    assert [op["seq"] for op in ops] == list(range(1, 5001))
    mix = Counter(op["tbl"] for op in ops)
    assert mix["event"] > mix["lead"] > mix["alert"] > mix["setting"] > 0
    assert [op["hlc"] for op in ops] == sorted(op["hlc"] for op in ops)


def test_a_year_of_work_stays_under_twenty_megabytes_after_compaction(tmp_path: Path) -> None:
    year = sync_folder.year_in_folder(tmp_path / "sync", 50_000)
    assert year.after_bytes <= sync_folder.SIZE_TARGET
    assert year.files_after == 2  # device.json and the snapshot
    snapshot = SyncFolder(tmp_path / "sync", sync_folder.PEER).latest_snapshot(sync_folder.DEVICE)
    assert snapshot is not None
    assert snapshot.covers == {sync_folder.DEVICE: 50_000}
    assert len(snapshot.snapshot["rows"]["event"]) > 25_000


def test_one_edit_is_published_as_one_small_batch(tmp_path: Path) -> None:
    times = sync_folder.one_edit_ms(tmp_path / "edits", 5)
    assert len(times) == 5
    assert len(list((tmp_path / "edits").rglob("ops-*.json.gz"))) == 5
