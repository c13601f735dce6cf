"""How an incoming synced change merges with what this device holds (issue 18).

The decisions only; services/sync/apply.py reads the clocks, asks here, and writes. Stamps are
HLC texts (domain/hlc.py), compared as text: that order is the clock's order, and no two
devices ever write the same stamp (the device id is part of it).

The rules, as a person would state them:
- a field takes the value written last, whichever device wrote it (last writer wins, field
  by field, so an e-mail fixed on the laptop and a next step set on the desktop both stay);
- a delete wins over every change stamped before it; a change stamped after it (made on a
  device that had not seen the delete) brings the row back, each field as last written;
- what hangs off a lead (its events, alerts, meetings) is there while the lead is: it goes
  with the lead's delete and comes back with the lead, wherever it arrives and in whatever
  order;
- when two devices move the same lead, the later move is kept and the device whose move was
  overruled writes it into the lead's timeline, so nothing silently disappears.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any

from followthrough.domain.dates import date_and_time
from followthrough.domain.states import State

# The tables whose rows hang off a lead, by the column that names it (as a gid in an op).
LEAD_CHILDREN = ("event", "alert", "meeting", "match_skip")
LEAD_COLUMN = "lead_id"
STATE_FIELD = "state"
# A pseudo-field among a row's field stamps: the stamp of its last delete.
DELETED_FIELD = "~deleted"


class RowVerdict(StrEnum):
    """What an insert or update op does to its row."""

    APPLY = "apply"  # the row is alive here (or unknown): merge it field by field
    REVIVE = "revive"  # the row was deleted before this change: it comes back
    DROP = "drop"  # the row was deleted after this change: the delete wins


def row_verdict(op_hlc: str, tombstone: str | None) -> RowVerdict:
    """An insert/update of a row this device holds as deleted at `tombstone` (or alive: None)."""
    if tombstone is None:
        return RowVerdict.APPLY
    return RowVerdict.REVIVE if op_hlc > tombstone else RowVerdict.DROP


def winning_fields(op_hlc: str, fields: Iterable[str], clocks: Mapping[str, str]) -> list[str]:
    """The fields an op writes that were last written before it (never written: it wins)."""
    return [field for field in fields if op_hlc > clocks.get(field, "")]


def revived_clocks(
    op_hlc: str, changed: Iterable[str] | None, fields: Iterable[str], tombstone: str
) -> dict[str, str]:
    """The field clocks of a row brought back by a change stamped after its delete.

    The fields the change wrote carry its stamp; the others are as of the delete, which is
    what a device that kept the row through the delete also holds (see `delete_verdict`):
    both then take a later change of those fields, and refuse an earlier one, alike.
    `changed` None (an insert) writes every field.
    """
    written = set(fields) if changed is None else set(changed)
    return {field: op_hlc if field in written else tombstone for field in fields}


@dataclass(frozen=True)
class DeleteVerdict:
    """What a delete op does here: delete the row, or keep it and lift older clocks."""

    delete: bool
    # Kept rows: the fields written before the delete, whose clock becomes the delete's
    # stamp (a change older than the delete arriving later must lose, as it would where
    # the row is gone).
    lifted: tuple[str, ...] = ()


def delete_verdict(delete_hlc: str, clocks: Mapping[str, str]) -> DeleteVerdict:
    """A delete stamped `delete_hlc` of a live row whose fields were last written at `clocks`.

    Deleted when every field was written before it; kept when a field was written after it
    (on a device that had not seen the delete: that change brings the row back everywhere).
    """
    if all(stamp < delete_hlc for stamp in clocks.values()):
        return DeleteVerdict(delete=True)
    lifted = tuple(sorted(f for f, stamp in clocks.items() if stamp < delete_hlc))
    return DeleteVerdict(delete=False, lifted=lifted)


def is_live(clocks: Mapping[str, str]) -> bool:
    """Whether a row whose fields were last written at `clocks` (its last delete among them,
    as DELETED_FIELD) exists: some field was written after that delete."""
    written = max((stamp for f, stamp in clocks.items() if f != DELETED_FIELD), default="")
    return written > clocks.get(DELETED_FIELD, "")


def touched_lead(tbl: str, gid: str, row: Mapping[str, Any] | None) -> str | None:
    """The gid of the lead an op touches (for re-planning), or None (templates, settings)."""
    if tbl == "lead":
        return gid
    if tbl in LEAD_CHILDREN:
        if row is not None and isinstance(row.get(LEAD_COLUMN), str):
            return str(row[LEAD_COLUMN])
        # A delete may carry no row: the child's gid starts with its lead's for the keyed
        # tables (alert, meeting, match_skip: "<lead gid>|..."); events do not say.
        head, sep, _ = gid.partition("|")
        return head if sep else None
    return None


@dataclass(frozen=True)
class OverruledMove:
    """A move of a lead made on this device and overruled by a later one from elsewhere."""

    lost_state: str
    lost_at: datetime  # when the overruled move was made (the lead's state_since then)
    kept_state: str


def overruled_move(
    op_hlc: str,
    op_state: object,
    local_state: str,
    local_state_hlc: str | None,
    local_state_since: datetime,
    this_device: str,
) -> OverruledMove | None:
    """Whether an incoming state overrules a move this device made.

    Only the device whose move lost writes the note (it is then synced like any note), so
    there is exactly one note per overruled move, worded where the move was made. `None`:
    no conflict (the states agree, the move here was itself received, or the op loses).
    """
    if local_state_hlc is None or not isinstance(op_state, str) or op_state == local_state:
        return None
    if op_hlc < local_state_hlc or not local_state_hlc.endswith(f"-{this_device}"):
        return None
    return OverruledMove(local_state, local_state_since, op_state)


def state_conflict_note(device_name: str, move: OverruledMove, zone: tzinfo) -> str:
    """The timeline note that keeps an overruled move in sight."""
    lost, kept = _state_label(move.lost_state), _state_label(move.kept_state)
    when = date_and_time(move.lost_at, zone)
    return (
        f"On {device_name} this lead was moved to {lost} on {when}; "
        f"kept {kept}, the later change made on another device."
    )


def _state_label(value: str) -> str:
    try:
        return State(value).label
    except ValueError:
        return value
