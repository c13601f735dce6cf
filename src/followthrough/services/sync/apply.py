"""Applying other devices' changes to this database (issue 18).

`apply_ops` takes operations as exchanged through the sync folder and merges them in one
transaction by the rules of domain/syncmerge.py, with the recording triggers held off (what
is applied here was recorded where it was made), then recounts and re-plans the leads they
touched, as a bulk log does (services/signal_log.py).

Order: each device's operations are applied in its own order (seq), and only from just past
what was applied before: a gap (a batch file not complete yet) holds back what follows it,
so every device's changes arrive whole and in order, and `sync_peer.applied_seq` says truly
"everything up to here". Across devices, operations go in clock order, which respects what
each device had seen when it wrote; the merge itself does not depend on the order
(apply_merge.py): a change to a lead this device has not heard of yet is kept aside until
the lead arrives from another device's batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, insert
from sqlmodel import Session

from followthrough.domain.hlc import parse_hlc
from followthrough.domain.leadfields import email_key, search_key
from followthrough.domain.signals import Direction, SignalKind
from followthrough.domain.syncmerge import OverruledMove, state_conflict_note
from followthrough.errors import InvalidData
from followthrough.services.clock import local_zone
from followthrough.services.planning import replan_leads
from followthrough.services.policy import load_policy
from followthrough.services.signal_log import recount_leads
from followthrough.services.sync.apply_merge import Merger
from followthrough.services.sync.apply_rows import Op, SyncRows
from followthrough.services.sync.record import applying, observe
from followthrough.store.db import Database
from followthrough.store.sync_schema import BY_NAME
from followthrough.store.tables import EVENT

KINDS = ("insert", "update", "delete")


@dataclass
class ApplyReport:
    """What one `apply_ops` did."""

    applied: int = 0  # operations merged (including those the rules then ignored)
    skipped: int = 0  # already applied, this device's own, or not an operation at all
    waiting: int = 0  # held back behind a gap (a batch not whole yet): applied on a later call
    touched_leads: list[int] = field(default_factory=list)  # local ids, re-planned
    conflicts: int = 0  # overruled moves written into a timeline


def apply_ops(
    db: Database, ops: Iterable[Mapping[str, Any]], now: datetime, zone: tzinfo | None = None
) -> ApplyReport:
    """Merge other devices' operations, in one transaction; see the module's docstring."""
    with db.write() as session:
        return apply_in_session(session, ops, now, zone)


def apply_in_session(
    session: Session, ops: Iterable[Mapping[str, Any]], now: datetime, zone: tzinfo | None = None
) -> ApplyReport:
    conn = session.connection()
    report = ApplyReport()
    device, applied_seq = _sync_position(conn)
    streams = _streams(ops, device, applied_seq, report)
    merger = Merger(SyncRows(conn), device)
    with applying(session):
        done, newest = _merge(merger, streams, report)
        lead_ids = merger.live_touched_leads()
    if newest:
        observe(session, newest, now)
    # Re-planned as this device's own change, recorded: an alert it clears because what
    # arrived ended its condition is cleared on the other devices too, by the same stamp,
    # instead of staying open there or ending cleared at another moment.
    refresh_leads(session, lead_ids, now, zone)
    report.conflicts = _write_conflict_notes(conn, merger.overruled, now, zone)
    _advance_peers(conn, done)
    report.touched_leads = lead_ids
    session.expire_all()  # plain statements wrote under the ORM's feet
    return report


def _merge(
    merger: Merger, streams: dict[str, list[Op]], report: ApplyReport
) -> tuple[dict[str, int], str]:
    """Apply the streams in clock order; returns each device's last seq applied, and the
    newest stamp applied."""
    done: dict[str, int] = {}
    newest = ""
    for op in sorted((op for s in streams.values() for op in s), key=lambda o: o.hlc):
        merger.apply(op)
        done[op.device] = op.seq
        newest = max(newest, op.hlc)
        report.applied += 1
    return done, newest


# --- reading the operations -----------------------------------------------------------


def _sync_position(conn: Connection) -> tuple[str, dict[str, int]]:
    row = conn.exec_driver_sql("SELECT device FROM sync_state WHERE id = 1").first()
    if row is None or not row[0]:
        raise InvalidData("sync is not set up on this device", "sync")
    peers = conn.exec_driver_sql("SELECT device, applied_seq FROM sync_peer").all()
    return str(row[0]), {str(d): int(s) for d, s in peers}


def parse_op(raw: Mapping[str, Any]) -> Op | None:
    """An exchanged operation, or None when it is not one this version can read."""
    try:
        table = BY_NAME.get(raw["tbl"])
        if table is None:
            return None  # a table this version does not sync
        row, changed = raw.get("row"), raw.get("changed")
        row = json.loads(row) if isinstance(row, str) else row
        changed = json.loads(changed) if isinstance(changed, str) else changed
        op = Op(str(raw["hlc"]), str(raw["device"]), int(raw["seq"]), table, str(raw["gid"]),
                str(raw["kind"]), row, changed)  # fmt: skip
        parse_hlc(op.hlc)
    except (KeyError, TypeError, ValueError, InvalidData):
        return None
    if op.kind not in KINDS or op.seq < 1:
        return None
    if op.kind != "delete" and not isinstance(op.row, dict):
        return None
    if op.changed is not None and not (
        isinstance(op.changed, list) and all(isinstance(c, str) for c in op.changed)
    ):
        return None
    return op


def _streams(
    ops: Iterable[Mapping[str, Any]], device: str, applied: dict[str, int], report: ApplyReport
) -> dict[str, list[Op]]:
    """Each device's operations to apply now: in order, from just past what was applied."""
    by_device: dict[str, dict[int, Op]] = {}
    for raw in ops:
        op = parse_op(raw)
        if op is None or op.device == device or op.seq <= applied.get(op.device, 0):
            report.skipped += 1
            continue
        mine = by_device.setdefault(op.device, {})
        if op.seq in mine:
            report.skipped += 1  # delivered twice in this call
            continue
        mine[op.seq] = op
    streams: dict[str, list[Op]] = {}
    for peer, mine in by_device.items():
        nxt, run = applied.get(peer, 0) + 1, []
        while nxt in mine:
            run.append(mine.pop(nxt))
            nxt += 1
        report.waiting += len(mine)  # behind a gap
        streams[peer] = run
    return streams


# --- after merging --------------------------------------------------------------------


def refresh_leads(
    session: Session, lead_ids: list[int], now: datetime, zone: tzinfo | None = None
) -> None:
    """What the touched leads derive from their synced fields and timelines, as a bulk log
    does: search keys, touch counters, the alerts whose condition is gone, the next check.
    Run as this device's own change: only its alert changes are exchanged (the rest is
    derived, never synced), so an alert cleared here is cleared alike everywhere."""
    if not lead_ids:
        return
    conn = session.connection()
    _refresh_keys(conn, lead_ids)
    recount_leads(conn, lead_ids, now)
    replan_leads(conn, lead_ids, now, load_policy(session), zone=zone)


def _refresh_keys(conn: Connection, lead_ids: list[int]) -> None:
    marks = ", ".join("?" for _ in lead_ids)
    leads = conn.exec_driver_sql(
        f"SELECT id, name, company, email, tags FROM lead WHERE id IN ({marks})",  # noqa: S608
        tuple(lead_ids),
    ).all()
    rows = []
    for lead_id, name, company, email, tags in leads:
        tag_list = json.loads(tags) if isinstance(tags, str) else (tags or [])
        key = email_key(email)
        if (
            key is not None
            and conn.exec_driver_sql(
                "SELECT 1 FROM lead WHERE email_key = ? AND id != ?", (key, lead_id)
            ).first()
        ):
            # The same mailbox added on two devices: both leads stay (neither is lost), and
            # only the first one here is the one mail is matched to.
            key = None
        rows.append((key, search_key(name, company, email, tag_list), lead_id))
    conn.exec_driver_sql("UPDATE lead SET email_key = ?, search_key = ? WHERE id = ?", rows)


def _write_conflict_notes(
    conn: Connection, overruled: list[tuple[str, OverruledMove]], now: datetime, zone: tzinfo | None
) -> int:
    """One note per move made here and overruled, recorded like any note: it then reaches
    every device once, from the one device that knew it was overruled."""
    if not overruled:
        return 0
    name_row = conn.exec_driver_sql("SELECT device_name FROM sync_state WHERE id = 1").first()
    device_name = (name_row[0] if name_row else None) or "this device"
    rows = []
    for lead_gid, move in overruled:
        lead = conn.exec_driver_sql(
            "SELECT local_id FROM sync_ids WHERE tbl = 'lead' AND gid = ?", (lead_gid,)
        ).first()
        if lead is None or lead[0] is None:
            continue
        rows.append(
            {"lead_id": lead[0], "at": now, "kind": SignalKind.NOTE.value,
             "direction": Direction.NONE.value, "channel": None,
             "text": state_conflict_note(device_name, move, zone or local_zone()),
             "payload": {"sync_conflict": {"lost": move.lost_state, "kept": move.kept_state}},
             "created_at": now}
        )  # fmt: skip
    if rows:
        conn.execute(insert(EVENT), rows)
    return len(rows)


def _advance_peers(conn: Connection, done: Mapping[str, int]) -> None:
    if done:
        conn.exec_driver_sql(
            "INSERT INTO sync_peer (device, applied_seq) VALUES (?, ?) "
            "ON CONFLICT (device) DO UPDATE SET "
            "applied_seq = max(applied_seq, excluded.applied_seq)",
            list(done.items()),
        )
