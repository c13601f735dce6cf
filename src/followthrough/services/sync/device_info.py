"""A device's device.json in the sync folder: who it is, what it has applied of each other
device's changes, when it last wrote, and whether it is retired or has forgotten others.

Plain JSON, rewritten whole by its device (temp + rename) at every pass; read by all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PeerInfo:
    """What a device says of itself in its device.json (name None until that file arrives)."""

    device: str
    name: str | None
    applied: dict[str, int]
    wrote_at: datetime | None
    written_seq: int
    # This device's data went back to an older copy that goes on under this id: it writes
    # no more, and waits for no one (folder_sync._compact_if_due).
    retired_by: str | None = None
    # Devices this one forgot (services/sync/forget.py), and when.
    forgotten: dict[str, datetime] = field(default_factory=dict)


def device_document(
    format: int,
    device: str,
    name: str,
    applied: Mapping[str, int],
    now: datetime,
    written_seq: int,
    *,
    retired_by: str | None = None,
    forgotten: Mapping[str, datetime] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": format,
        "device": device,
        "name": name,
        "applied": {peer: int(s) for peer, s in applied.items() if peer != device},
        "wrote_at": now.isoformat(),
        "written_seq": written_seq,
    }
    if retired_by is not None:
        document["retired_by"] = retired_by
    if forgotten:
        document["forgotten"] = {d: when.isoformat() for d, when in sorted(forgotten.items())}
    return document


def parse_device_info(device: str, document: Mapping[str, Any]) -> PeerInfo:
    """What a device.json says, each part that is not what it should be left out."""
    applied = document.get("applied")
    applied = applied if isinstance(applied, dict) else {}
    name = document.get("name")
    seq = document.get("written_seq")
    successor = document.get("retired_by")
    return PeerInfo(
        device=device,
        name=name if isinstance(name, str) else None,
        applied={str(k): v for k, v in applied.items() if is_seq(v)},
        wrote_at=_moment(document.get("wrote_at")),
        written_seq=seq if isinstance(seq, int) else 0,
        retired_by=successor if isinstance(successor, str) else None,
        forgotten=moments(document.get("forgotten")),
    )


def still_forgotten(
    wrote_at: datetime | None, device: str, forgotten_at: Mapping[str, datetime]
) -> bool:
    """Whether `device` is forgotten (services/sync/forget.py) and has not written since:
    a device that writes again is back."""
    when = forgotten_at.get(device)
    return when is not None and (wrote_at is None or wrote_at <= when)


def is_seq(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _moment(text: object) -> datetime | None:
    try:
        when = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return when if when is not None and when.tzinfo is not None else None


def moments(value: object) -> dict[str, datetime]:
    """A JSON object of ISO moments by key, the keys whose value is not an aware moment
    left out."""
    found: dict[str, datetime] = {}
    for key, text in value.items() if isinstance(value, dict) else ():
        when = _moment(text)
        if when is not None:
            found[str(key)] = when
    return found
