"""The sync write benchmark runs, and its "on" rounds really record while "off" ones do not."""

from __future__ import annotations

from followthrough.services.sync.record import ops_after
from followthrough.store.db import Database
from tests.bench import sync_write
from tests.bench.pipelines import generate_pipeline


def test_edits_are_timed_with_recording_off_and_on(db: Database) -> None:
    generate_pipeline(db, 200, seed=3, now=sync_write.NOW)
    results = sync_write.measure(db, 8)
    assert [r.kind for r in results] == ["next step", "name"]
    assert all(len(r.off_ms) == len(r.on_ms) == 4 for r in results)
    # Only the edits made while on were recorded: one lead update each.
    ops = ops_after(db, 0, 100)
    assert [(op["tbl"], op["kind"]) for op in ops] == [("lead", "update")] * 8
