"""Real Syncthing instances for tests: two (or more) on loopback, one folder shared between them.

Each instance has a home of its own (keys and config made by `syncthing generate`), its REST
API on a free loopback port with an API key made for this run, and the sync protocol on
another (tcp://127.0.0.1:PORT). Nothing leaves the machine: global and local discovery,
relays, NAT, usage and crash reports and upgrades are off in the config before the first
start. The devices are introduced to each other through the REST API by device ID and exact
address (of two instances the later one dials, see `SyncthingCluster.introduce`), and one
folder (FOLDER_ID) is shared by all, each instance with a folder of its own on disk. The
instance itself (config, process, REST calls) is in tests/support/syncthing_instance.py.

Every wait polls the REST API until what is awaited is true, with a deadline; nothing sleeps
for a fixed time. A wait that runs out raises `SyncthingTimeout` with what each instance
reported and the tail of its log; the full logs stay in the cluster's root folder.

    with syncthing_cluster(root) as pair:      # a started, connected, idle pair
        (pair.a.folder / "x").write_bytes(b"1")
        pair.wait_synced()                      # scans, then waits until all agree
        pair.b.pause()                          # B goes offline (returns once disconnected)
        pair.b.resume()
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from tests.support.components import require_program
from tests.support.syncthing_instance import (
    FOLDER_ID,
    POLL,
    SYNC_TIMEOUT,
    Syncthing,
    SyncthingTimeout,
    free_port,
)

__all__ = ["FOLDER_ID", "Syncthing", "SyncthingCluster", "SyncthingTimeout", "syncthing_cluster"]


class SyncthingCluster:
    """Instances that know each other and share FOLDER_ID; `a` and `b` are the first two."""

    def __init__(self, instances: list[Syncthing], folder_id: str = FOLDER_ID) -> None:
        self.instances = instances
        self.folder_id = folder_id

    @property
    def a(self) -> Syncthing:
        return self.instances[0]

    @property
    def b(self) -> Syncthing:
        return self.instances[1]

    @property
    def folders(self) -> list[Path]:
        return [instance.folder for instance in self.instances]

    def introduce(self) -> None:
        """Each instance adds every other one and shares the folder with all of them.

        Of each two instances only the later one dials (it knows the earlier one's exact
        address; the earlier one accepts its connection). Syncthing 1.19 exchanges the
        first (Hello) messages of new connections one connection at a time: when two
        instances dial each other at the same moment, each waits for the other's Hello on
        its own connection while the other's sits in its queue, and both give up after
        20 s. With one dialler per pair that cannot happen, after a pause either.

        The devices are added paused and resumed once all know each other: a device dialled
        before the other side knows it is refused, and dialled again only later.
        """
        for number, instance in enumerate(self.instances):
            others = [other for other in self.instances if other is not instance]
            for other in others:
                dial = self.instances.index(other) < number
                instance.add_device(other, dial=dial, paused=True)
            instance.share_folder(self.folder_id, others)
        for instance in self.instances:
            instance.resume()

    def scan(self) -> None:
        for instance in self.instances:
            instance.scan(self.folder_id)

    def pause(self) -> None:
        """Every instance offline; returns once no connection is left."""
        for instance in self.instances:
            instance.pause()

    def resume(self) -> None:
        """Every instance online again; returns once all are connected."""
        for instance in self.instances:
            instance.resume()
        self.wait_connected()

    def wait_connected(self, timeout: float = SYNC_TIMEOUT) -> None:
        self._wait(self._all_connected, "all connected", timeout)

    def wait_synced(self, timeout: float = SYNC_TIMEOUT) -> None:
        """Scan every folder now, then wait until every instance is connected, idle, needs
        nothing, sees every other one complete, and all agree on the folder's contents."""
        self.wait_connected(timeout)
        self.scan()
        self._wait(self._in_sync, "in sync", timeout)

    def stop(self) -> None:
        """Every instance shut down (all asked first, so they stop in parallel)."""
        for instance in self.instances:
            instance.ask_to_stop()
        for instance in self.instances:
            instance.wait_stopped()

    def _all_connected(self) -> bool:
        return all(
            {other.device_id for other in self.instances if other is not instance}
            <= instance.connected_devices()
            for instance in self.instances
        )

    def _in_sync(self) -> bool:
        """Everyone idle, needing nothing, and holding everyone else's whole index.

        The last is what makes "in sync" exact: instance i has all of j's changes once the
        sequence of j's index that i holds is j's own sequence (completion's "sequence"),
        and has applied them once i is idle and needs nothing. Completion's percentage alone
        is not enough: Syncthing 1.19 says 100 for a device that has never announced a file.
        """
        if not self._all_connected():
            return False
        statuses = {i.device_id: i.folder_status(self.folder_id) for i in self.instances}
        for status in statuses.values():
            if status["state"] != "idle" or status["needTotalItems"] or status["pullErrors"]:
                return False
        for instance in self.instances:
            for other in self.instances:
                if other is instance:
                    continue
                done = instance.completion(other, self.folder_id)
                if done["sequence"] != statuses[other.device_id]["sequence"]:
                    return False  # `other` has changes `instance` has not heard of yet
                if done["completion"] < 100 or done["needItems"] or done["needDeletes"]:
                    return False
        agreed = {tuple(status[key] for key in _GLOBAL) for status in statuses.values()}
        return len(agreed) == 1

    def report(self) -> str:
        """What each instance says of its connections, its folder and the others, and the
        tail of its log: the message of a wait that ran out."""
        parts = []
        for instance in self.instances:
            try:
                said = {
                    "connected": sorted(instance.connected_devices()),
                    "status": {k: v for k, v in instance.folder_status(self.folder_id).items()
                               if k in _REPORTED},
                    "completion": {other.name: instance.completion(other, self.folder_id)
                                   for other in self.instances if other is not instance},
                    "errors": instance.folder_errors(self.folder_id),
                }  # fmt: skip
                summary = json.dumps(said, indent=1, default=str)
            except (OSError, RuntimeError) as unreachable:
                summary = f"(REST API not answering: {unreachable})"
            parts.append(
                f"=== {instance.name} {instance.device_id[:7]}: {summary}\n{instance.tail()}"
            )
        return "\n".join(parts)

    def _wait(self, condition: Any, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SyncthingTimeout(f"not {what} within {timeout:g} s\n{self.report()}")
            time.sleep(POLL)


# The folder's global state, as each instance sees it: equal on all once they agree.
_GLOBAL = ("globalFiles", "globalDirectories", "globalSymlinks", "globalDeleted", "globalBytes")
_REPORTED = {"state", "stateChanged", "error", "needTotalItems", "pullErrors", "localFiles",
             "globalFiles", "localDeleted", "globalDeleted", "inSyncFiles", "sequence"}  # fmt: skip


@contextmanager
def syncthing_cluster(root: Path, count: int = 2) -> Iterator[SyncthingCluster]:
    """`count` started instances in `root` (kept: their logs are there), introduced to each
    other, sharing FOLDER_ID with an empty folder each, connected and idle; stopped after.

    Skipped where Syncthing is missing, failed under CI=true (tests/support/components.py).
    """
    program = require_program("syncthing")
    names = [chr(ord("a") + number) for number in range(count)]
    with ExitStack() as running:
        instances = [Syncthing(program, root, name) for name in names]
        cluster = SyncthingCluster(instances)
        running.callback(cluster.stop)
        for instance in instances:  # all launched first, then awaited: they start in parallel
            instance.launch()
        for instance in instances:
            if not instance.wait_started():
                instance.stop()
                instance.gui_port, instance.listen_port = free_port(), free_port()
                instance.start()
        cluster.introduce()
        cluster.wait_synced()
        yield cluster
