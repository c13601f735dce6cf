"""Benchmark the sync folder: its size after a busy year, and the cost of publishing one edit.

    python -m tests.bench.sync_folder --ops 50000 --edits 200

A year of a busy founder's work is simulated as operations a device would record: mostly
timeline events (mail sent and received, notes, meetings), lead edits and state moves, alerts
raised and resolved, a few template and setting changes. They are published in batches of
20 to 200, as a device syncing through the day would, then compacted once the other device
has applied them. The target is a folder of at most 20 MB after compaction; one edit's batch
is part of the ≤ 1 ms a device's write path may add to an edit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthrough.services.sync.folder import SyncFolder

DEVICE, PEER = "5f1c0d9e2a7b4c31", "9a8b7c6d5e4f3a2b"
YEAR_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
SIZE_TARGET = 20 * 1024 * 1024
WORDS = [
    "thanks",
    "for",
    "the",
    "call",
    "yesterday",
    "following",
    "up",
    "on",
    "the",
    "proposal",
    "pricing",
    "for",
    "the",
    "pilot",
    "team",
    "next",
    "week",
    "budget",
    "approved",
    "we",
    "will",
    "review",
    "with",
    "our",
    "CTO",
    "could",
    "you",
    "send",
    "the",
    "contract",
    "timeline",
    "integration",
    "security",
    "questionnaire",
    "onboarding",
    "demo",
]


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


@dataclass
class _Year:
    rng: random.Random
    seq: int = 0
    ms: int = int(YEAR_START.timestamp() * 1000)

    def op(self, tbl: str, gid: str, kind: str, row: dict[str, Any] | None, changed: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
        self.seq += 1
        self.ms += self.rng.randint(1_000, 1_200_000)  # a year of ops: minutes apart, unevenly
        hlc = f"{self.ms:015d}-{0:05d}-{DEVICE}"
        return {"hlc": hlc, "device": DEVICE, "seq": self.seq, "tbl": tbl, "gid": gid,
                "kind": kind, "row": row, "changed": changed}  # fmt: skip

    def at(self) -> str:
        return datetime.fromtimestamp(self.ms / 1000, UTC).isoformat()


def year_of_ops(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """`count` operations in the mix a busy founder's year gives."""
    year = _Year(random.Random(seed))
    rng = year.rng
    leads: dict[str, dict[str, Any]] = {}
    alerts: list[str] = []
    while year.seq < count:
        roll = rng.random()
        if roll < 0.06 or not leads:
            gid = f"{DEVICE}:{len(leads) + 1}"
            n = len(leads) + 1
            row = {
                "name": f"Person {n}", "company": f"Company {n % 700}",
                "email": f"person{n}@company{n % 700}.example", "phone": "+44 20 7946 0" + str(n % 1000).zfill(3),
                "title": "Head of Operations", "source": rng.choice(["referral", "linkedin", "event"]),
                "channel": "email", "value": rng.choice([None, 4800, 12000, 36000]), "currency": "EUR",
                "tags": "saas,eu", "state": "hot", "state_since": year.at(), "decision": None,
                "next_step": "Send proposal", "next_step_due": year.at()[:10], "recycle_until": None,
                "recycle_reason": None, "auto_signals": 1, "created_at": year.at(),
            }  # fmt: skip
            leads[gid] = row
            yield year.op("lead", gid, "insert", row)
        elif roll < 0.66:
            lead = rng.choice(list(leads))
            kind = rng.choice(["sent", "sent", "reply", "note", "meeting", "call"])
            row = {
                "lead_id": lead, "at": year.at(), "kind": kind,
                "direction": {"sent": "out", "reply": "in"}.get(kind, "none"), "channel": "email",
                "text": _text(rng, 4, 40), "created_at": year.at(),
                "payload": {"message_id": f"<{rng.getrandbits(64):x}@mail.example>"} if kind in ("sent", "reply") else None,
            }  # fmt: skip
            yield year.op("event", f"{DEVICE}:e{year.seq + 1}", "insert", row)
        elif roll < 0.86:
            lead = rng.choice(list(leads))
            row = dict(leads[lead])
            changed = rng.sample(["state", "next_step", "next_step_due", "value", "tags", "title"], rng.randint(1, 2))  # fmt: skip
            for column in changed:
                row[column] = {"state": rng.choice(["hot", "warm", "recycle", "won", "lost"]),
                               "next_step": _text(rng, 2, 6), "next_step_due": year.at()[:10],
                               "value": rng.choice([4800, 12000, 36000]), "tags": "saas,eu,priority",
                               "title": "COO"}[column]  # fmt: skip
            leads[lead] = row
            yield year.op("lead", lead, "update", row, changed)
        elif roll < 0.97:
            if alerts and rng.random() < 0.5:
                gid = alerts.pop(rng.randrange(len(alerts)))
                row = {"status": rng.choice(["done", "dismissed", "snoozed"]), "resolved_at": year.at(), "outcome": None}  # fmt: skip
                yield year.op("alert", gid, "update", row, ["status", "resolved_at"])
            else:
                lead = rng.choice(list(leads))
                gid = f"{lead}|silence|{year.seq}"
                alerts.append(gid)
                row = {
                    "lead_id": lead, "rule": "silence", "kind": "silence", "episode": str(year.seq),
                    "reason": "No reply in 5 working days after your proposal.", "intent": "nudge",
                    "status": "open", "raised_at": year.at(), "due_at": year.at(), "snoozed_until": None,
                    "resolved_at": None, "outcome": None, "snoozes": 0, "notified_at": None,
                }  # fmt: skip
                yield year.op("alert", gid, "insert", row)
        else:
            key = rng.choice(["policy.silence_days", "followup.hours", "templates.retired"])
            yield year.op("setting", key, "update", {"key": key, "value": rng.randint(1, 9)}, ["value"])  # fmt: skip


def folder_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


@dataclass(frozen=True)
class YearFigures:
    ops: int
    batches: int
    before_bytes: int
    after_bytes: int
    files_after: int


def year_in_folder(root: Path, count: int, seed: int = 7) -> YearFigures:
    """Publish a year of `count` ops in batches of 20 to 200, then compact as a peer allows."""
    rng = random.Random(seed)
    root.mkdir(exist_ok=True)
    folder = SyncFolder(root, DEVICE)
    pending: list[dict[str, Any]] = []
    batches = 0
    size = rng.randint(20, 200)
    for op in year_of_ops(count, seed):
        pending.append(op)
        if len(pending) >= size:
            folder.write_batch(pending)
            batches += 1
            pending, size = [], rng.randint(20, 200)
    if pending:
        folder.write_batch(pending)
        batches += 1
    before = folder_bytes(root)
    folder.write_device_info("Laptop", {PEER: 0}, datetime.now(UTC))
    folder.compact({PEER: count})
    after = folder_bytes(root)
    files = sum(1 for p in root.rglob("*") if p.is_file())
    return YearFigures(count, batches, before, after, files)


def one_edit_ms(root: Path, edits: int) -> list[float]:
    """Milliseconds to publish one edit as its own batch (fsync'd), `edits` times."""
    root.mkdir(exist_ok=True)
    folder = SyncFolder(root, DEVICE)
    year = _Year(random.Random(1), seq=folder.last_written_seq())
    row = {"name": "Ada", "state": "won", "next_step": "Kick-off call"}
    out: list[float] = []
    for _ in range(edits):
        op = year.op("lead", f"{DEVICE}:1", "update", row, ["state"])
        start = time.perf_counter()
        folder.write_batch([op])
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=50_000)
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        year = year_in_folder(Path(tmp) / "year", args.ops)
        took = time.perf_counter() - start
        times = sorted(one_edit_ms(Path(tmp) / "edits", args.edits))
    mb = 1024 * 1024
    print(f"{year.ops} ops in {year.batches} batches: {year.before_bytes / mb:.2f} MB before "
          f"compaction, {year.after_bytes / mb:.2f} MB after ({year.files_after} files; "
          f"target ≤ {SIZE_TARGET / mb:.0f} MB); {took:.1f} s to write and compact")  # fmt: skip
    p90 = times[int(len(times) * 0.9)]
    print(f"one edit's batch: median {statistics.median(times):.3f} ms, p90 {p90:.3f} ms "
          f"over {len(times)} writes (fsync'd)")  # fmt: skip
    return 0 if year.after_bytes <= SIZE_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
