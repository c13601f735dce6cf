"""Forgetting a device that will not sync again (a laptop replaced, a machine given away).

Every device keeps its old batches in the sync folder until each other device has applied
them, so one that never comes back would make the folder grow for ever. Forgetting it says,
in this device's device.json, that no one need wait for it any more (folder_sync folds and
deletes batches without it), and takes it off the list of devices. Nothing it wrote is
undone. If it syncs again after all, it is listed again and waited for again; having missed
batches folded meanwhile, it starts from the snapshots that hold them.

The list is this device's own setting (never synced), published through its device.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from followthrough.errors import InvalidData
from followthrough.services.setting_rows import put_setting
from followthrough.services.sync.device_info import moments, still_forgotten
from followthrough.services.sync.record import PeerStatus, SyncStatus, sync_status
from followthrough.store.db import Database
from followthrough.store.models import Setting

FORGOTTEN_KEY = "sync.forgotten"  # device id -> when it was forgotten (ISO, UTC)


def forgotten(db: Database) -> dict[str, datetime]:
    """The devices this one forgot, and when."""
    with db.read() as session:
        row = session.get(Setting, FORGOTTEN_KEY)
        value = row.value if row is not None else None
    return moments(value)


def forget_device(db: Database, who: str, now: datetime) -> PeerStatus:
    """Forget the other device called `who` (its name, or its id); the device forgotten.

    InvalidData when no device or several are called so, or `who` is this device.
    """
    state = sync_status(db, now)
    wanted = " ".join(who.split())
    if not wanted:
        raise InvalidData("say which device to forget", "device")
    if wanted in (state.device, state.device_name):
        raise InvalidData("this is the device you are on: `sync stop` stops it", "device")
    matches = [p for p in state.peers if p.device == wanted] or [
        p for p in state.peers if (p.name or "").casefold() == wanted.casefold()
    ]
    if not matches:
        raise InvalidData(f"no device called {wanted} has written to the sync folder", "device")
    if len(matches) > 1:
        ids = ", ".join(p.device for p in matches)
        raise InvalidData(f"several devices are called {wanted}: say which by its id ({ids})",
                          "device")  # fmt: skip
    [peer] = matches
    known = forgotten(db)
    known[peer.device] = now
    with db.write() as session:
        value = {device: moment.isoformat() for device, moment in sorted(known.items())}
        put_setting(session, FORGOTTEN_KEY, value, now)
    return peer


def listed(state: SyncStatus, forgotten_at: Mapping[str, datetime]) -> SyncStatus:
    """`state` without the devices forgotten here that have not written since."""
    peers = tuple(
        p for p in state.peers if not still_forgotten(p.last_wrote_at, p.device, forgotten_at)
    )
    return replace(state, peers=peers)
