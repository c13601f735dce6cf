"""`followthrough sync …`: one pipeline on several machines, through a folder that Syncthing,
Dropbox, Nextcloud or a NAS share replicates (services/sync/).

    followthrough sync set-folder ~/Sync/followthrough --name Laptop
    followthrough sync now          # write this machine's changes, apply the others'
    followthrough sync status       # the folder, this device, when each device last wrote
    followthrough sync devices      # the devices seen in the folder
    followthrough sync stop         # sync no more; what changes meanwhile goes out on return
    followthrough sync forget "Old laptop"   # a device that will not sync again
"""

from __future__ import annotations

import argparse
import socket
from datetime import datetime
from typing import TYPE_CHECKING, Any

from followthrough.cli import output
from followthrough.cli.command import UsesDatabase, nothing_to_prepare
from followthrough.cli.termsafe import one_line

if TYPE_CHECKING:
    from followthrough.cli.command import Subcommands
    from followthrough.services.sync.record import SyncStatus
    from followthrough.store.db import Database


STOPPED = (
    "This computer no longer syncs. What is changed here meanwhile will go to the other "
    "devices if it syncs again (`followthrough sync set-folder`)."
)


def declare(sub: Subcommands) -> None:
    words = "one pipeline on several machines, through a folder a sync engine replicates"
    p = sub.add_parser("sync", help=words, description=words)
    p.set_defaults(handler=UsesDatabase(run_sync, nothing_to_prepare, reads=_reads))
    actions = p.add_subparsers(dest="sync_command", metavar="ACTION", required=True,
                               parser_class=type(p))  # fmt: skip
    q = actions.add_parser("set-folder", help="sync through FOLDER (one Syncthing, Dropbox or "
                           "Nextcloud replicates), as this device NAME")  # fmt: skip
    q.add_argument("folder", metavar="FOLDER")
    q.add_argument("--name", help="this device's name for the others (default: host name)")
    actions.add_parser("now", help="write this device's changes, apply the other devices'")
    actions.add_parser("status", help="the folder, this device, and when each device wrote")
    actions.add_parser("devices", help="the devices that share the folder")
    actions.add_parser("stop", help="sync this device no more (nothing is deleted; what "
                       "changes meanwhile goes out if it syncs again)")  # fmt: skip
    q = actions.add_parser("forget", help="forget DEVICE (its name or id), which will not sync "
                           "again: no device waits for it to fold old changes")  # fmt: skip
    q.add_argument("device", metavar="DEVICE")
    for action in actions.choices.values():
        action.add_argument("--json", action="store_true", help="print JSON only")


def _reads(args: argparse.Namespace) -> bool:
    return args.sync_command in ("status", "devices")


def run_sync(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    from followthrough.services.sync import service

    if args.sync_command == "set-folder":
        name = args.name or socket.gethostname()
        path = service.set_sync_folder(db, args.folder, name, now)
        sentence = f"Syncing through {path} as “{name}”; `followthrough sync now` to start."
        return output.say(args, {"folder": str(path), "device": name}, sentence)
    if args.sync_command == "now":
        done = service.sync_now(db, now)
        data = {
            "sent": done.report.sent,
            "applied": done.applied.applied,
            "conflicts": done.applied.conflicts,
            "leads_changed": len(set(done.applied.touched_leads)),
            "notes": done.report.notes,
        }
        lines = [
            f"Sent {done.report.sent} changes; applied {done.applied.applied} from other devices"
            f" ({len(set(done.applied.touched_leads))} leads changed)."
        ]
        if done.applied.conflicts:
            lines.append(f"{done.applied.conflicts} moves made on two devices: the later kept, "
                         "the other noted in the lead's timeline.")  # fmt: skip
        lines += [one_line(note) for note in done.report.notes]
        return output.emit(args, data, "\n".join(lines))
    if args.sync_command == "stop":
        forgotten = service.stop_syncing(db)
        data = {"stopped": forgotten is not None, "folder": str(forgotten) if forgotten else None}
        if forgotten is None:
            return output.say(args, data, "Sync was not on: no folder is set.")
        return output.say(args, data, STOPPED)
    if args.sync_command == "forget":
        from followthrough.services.sync.forget import forget_device

        peer = forget_device(db, args.device, now)
        name = peer.name or peer.device
        return output.say(
            args, {"forgotten": peer.device, "name": peer.name},
            one_line(f"Forgot {name}: no device waits for it any more; it is listed again if it "
                     "syncs again."),
        )  # fmt: skip
    current, folder = service.status(db, now)
    if args.sync_command == "devices":
        return output.emit(args, {"devices": _peers(current)}, _devices_text(current))
    data = {
        "folder": str(folder) if folder else None,
        "enabled": current.enabled,
        "device": current.device,
        "name": current.device_name,
        "changes": current.seq,
        "devices": _peers(current),
    }
    if folder is None:
        text = "Sync is off: no folder is set (`followthrough sync set-folder FOLDER`)."
    else:
        text = f"Syncing through {folder} as “{current.device_name}” ({current.seq} changes)."
        text += "\n" + _devices_text(current)
    return output.emit(args, data, text)


def _peers(current: SyncStatus) -> list[dict[str, Any]]:
    return [
        {
            "device": peer.device,
            "name": peer.name,
            "applied": peer.applied_seq,
            "last_wrote_at": output.iso_local(peer.last_wrote_at),
            "last_seen_at": output.iso_local(peer.last_seen_at),
        }
        for peer in current.peers
    ]


def _devices_text(current: SyncStatus) -> str:
    if not current.peers:
        return "No other device has written to the folder yet."
    lines = []
    for peer in current.peers:
        wrote = output.iso_local(peer.last_wrote_at) or "not yet"
        lines.append(one_line(f"{peer.name or peer.device}: last wrote {wrote}, "
                              f"{peer.applied_seq} changes applied here"))  # fmt: skip
    return "\n".join(lines)
