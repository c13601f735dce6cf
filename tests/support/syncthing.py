"""Real Syncthing instances for tests: two (or more) on loopback, one folder shared between them.

Each instance has a home of its own (keys and config made by `syncthing generate`), its REST
API on a free loopback port with an API key made for this run, and the sync protocol on
another (tcp://127.0.0.1:PORT). Nothing leaves the machine: global and local discovery,
relays, NAT, usage and crash reports and upgrades are off in the config before the first
start. The devices are introduced to each other through the REST API, each with the other's
exact address, and one folder (FOLDER_ID) is shared by all, each instance with a folder of
its own on disk.

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
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from tests.support.components import require_program

FOLDER_ID = "followthrough-sync"
STARTUP_TIMEOUT = 30.0
SYNC_TIMEOUT = 30.0
POLL = 0.05  # seconds between two polls of the REST API (each wait has a deadline)

# Options set in the generated config before the first start: no traffic off the machine,
# no browser, and reconnection after a resume within a second rather than a minute.
OPTIONS = {
    "globalAnnounceEnabled": "false",
    "localAnnounceEnabled": "false",
    "relaysEnabled": "false",
    "natEnabled": "false",
    "urAccepted": "-1",  # usage reporting declined, and not asked again
    "crashReportingEnabled": "false",
    "autoUpgradeIntervalH": "0",
    "startBrowser": "false",
    "reconnectionIntervalS": "1",
    "setLowPriority": "false",
}


class SyncthingTimeout(AssertionError):
    """A wait ran out: the message says what each instance reported, and the logs' tails."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Syncthing:
    """One instance: its home, its shared folder on disk, and its REST API."""

    def __init__(self, program: str, root: Path, name: str) -> None:
        self.program = program
        self.name = name
        self.home = root / f"{name}-home"
        self.folder = root / f"{name}-folder"
        self.log = root / f"{name}.log"
        self.api_key = secrets.token_urlsafe(24)  # this run's only; in no file in the tree
        self.gui_port = _free_port()
        self.listen_port = _free_port()
        self.device_id = ""
        self.process: subprocess.Popen[bytes] | None = None
        self.folder.mkdir(parents=True, exist_ok=True)
        generated = subprocess.run(
            [program, "generate", f"--home={self.home}", "--no-default-folder"],
            capture_output=True, text=True, check=True, env=self._env(),
        )  # fmt: skip
        self.device_id = next(
            line.split(":", 1)[1].strip()
            for line in generated.stdout.splitlines() + generated.stderr.splitlines()
            if line.startswith("Device ID:")
        )

    @property
    def address(self) -> str:
        """Where the other instances reach this one: its sync protocol's exact address."""
        return f"tcp://127.0.0.1:{self.listen_port}"

    def _env(self) -> dict[str, str]:
        # HOME in the root: no ~/.config/syncthing or ~/Sync of the person running the tests.
        return {**os.environ, "HOME": str(self.home.parent), "STNOUPGRADE": "1",
                "STNORESTART": "1", "STNODEFAULTFOLDER": "1", "STHASHING": "standard"}  # fmt: skip

    def _write_config(self) -> None:
        path = self.home / "config.xml"
        tree = ElementTree.parse(path)
        config = tree.getroot()
        gui = config.find("gui")
        options = config.find("options")
        if gui is None or options is None:
            raise RuntimeError(f"{path} has no <gui> or <options>: another Syncthing version?")
        for device in config.findall("device"):
            if device.get("id") == self.device_id:
                device.set("name", self.name)  # its own name, as the others' logs show it
        gui.set("tls", "false")
        _set(gui, "address", f"127.0.0.1:{self.gui_port}")
        _set(gui, "apikey", self.api_key)
        _set(options, "listenAddress", self.address)
        for option, value in OPTIONS.items():
            _set(options, option, value)
        tree.write(path)

    # --- process ---------------------------------------------------------------------------

    def launch(self) -> None:
        """Start the process; `wait_started` waits until it answers and listens."""
        self._write_config()
        with self.log.open("ab") as log:  # appended: every start's log, kept with the root
            self.process = subprocess.Popen(
                [self.program, "serve", f"--home={self.home}", "--no-browser", "--no-restart",
                 "--no-upgrade", "--no-default-folder", "--logflags=3"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=self._env(),
            )  # fmt: skip

    def wait_started(self, timeout: float = STARTUP_TIMEOUT) -> bool:
        """True once the REST API answers and the sync protocol listens; False when the
        process ended or the listener failed (most likely a port taken meanwhile)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                listener = self.get("/rest/system/status")["connectionServiceStatus"]
            except OSError:
                listener = {}
            status = listener.get(self.address)
            if status is not None:
                if status.get("error"):
                    return False
                if status.get("lanAddresses"):
                    return True
            time.sleep(POLL)
        raise SyncthingTimeout(f"{self.name} did not start within {timeout:g} s\n{self.tail()}")

    def start(self) -> None:
        """Start and wait until it answers; on new ports if the chosen ones were taken."""
        for _attempt in range(3):
            self.launch()
            if self.wait_started():
                return
            self.stop()
            self.gui_port, self.listen_port = _free_port(), _free_port()
        raise RuntimeError(f"{self.name} did not start\n{self.tail()}")

    def stop(self, grace: float = 10.0) -> None:
        """Shut down through the REST API; killed if still running after `grace` seconds.
        The files, config and database stay: `start()` brings the same device back."""
        self.ask_to_stop()
        self.wait_stopped(grace)

    def ask_to_stop(self) -> None:
        """Ask for a graceful shutdown (/rest/system/shutdown) without waiting for it."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.post("/rest/system/shutdown")
        except (OSError, RuntimeError):
            self.process.terminate()

    def wait_stopped(self, grace: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name}'s log ({self.log}), last lines:\n" + "\n".join(
            text.splitlines()[-lines:]
        )

    # --- REST API --------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, **params: str | int | bool) -> Any:
        """One REST call with the API key; the decoded JSON answer (None when empty)."""
        query = urllib.parse.urlencode(
            {k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()}
        )
        url = f"http://127.0.0.1:{self.gui_port}{path}" + (f"?{query}" if query else "")
        data = None if body is None else json.dumps(body).encode()
        call = urllib.request.Request(url, data=data, method=method,
                                      headers={"X-API-Key": self.api_key,
                                               "Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(call, timeout=30) as response:
                answer = response.read()
        except urllib.error.HTTPError as refused:
            said = refused.read().decode(errors="replace").strip()
            raise RuntimeError(f"{self.name}: {method} {path}: {refused.code} {said}") from None
        return json.loads(answer) if answer.strip() else None

    def get(self, path: str, **params: str | int | bool) -> Any:
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None, **params: str | int | bool) -> Any:
        return self.request("POST", path, body, **params)

    # --- what a person does in Syncthing's own GUI -------------------------------------------

    def add_device(self, other: Syncthing, *, dial: bool = True, paused: bool = False) -> None:
        """Know `other` by its device ID, at its exact address; with `dial` False, only
        accept its connections ("dynamic" address, and no discovery to resolve it)."""
        self.post("/rest/config/devices",
                  {"deviceID": other.device_id, "name": other.name,
                   "addresses": [other.address if dial else "dynamic"],
                   "autoAcceptFolders": False, "paused": paused})  # fmt: skip

    def share_folder(self, folder_id: str, devices: list[Syncthing]) -> None:
        """Share this instance's folder as `folder_id` with `devices`: watched for changes
        (one second's delay) and rescanned every ten seconds besides."""
        self.post("/rest/config/folders", {
            "id": folder_id, "label": folder_id, "path": str(self.folder), "type": "sendreceive",
            "devices": [{"deviceID": d.device_id} for d in [self, *devices]],
            "rescanIntervalS": 10, "fsWatcherEnabled": True, "fsWatcherDelayS": 1,
        })  # fmt: skip

    def scan(self, folder_id: str = FOLDER_ID) -> None:
        """Rescan the folder now; returns once the scan is done."""
        self.post("/rest/db/scan", folder=folder_id)

    def pause(self, timeout: float = SYNC_TIMEOUT) -> None:
        """Go offline: pause every other device; returns once no connection is left."""
        self._set_paused(True)
        self._wait(lambda: not self.connected_devices(), "to disconnect", timeout)

    def resume(self) -> None:
        """Come back online: resume every other device (`Cluster.wait_connected` waits)."""
        self._set_paused(False)

    def _set_paused(self, paused: bool) -> None:
        # Through /rest/config, which saves the config: /rest/system/pause and resume change
        # only the running config, and a restart would bring back the state saved before.
        for device in self.get("/rest/config/devices"):
            if device["deviceID"] != self.device_id:
                self.request("PATCH", f"/rest/config/devices/{device['deviceID']}",
                             {"paused": paused})  # fmt: skip

    def connected_devices(self) -> set[str]:
        connections = self.get("/rest/system/connections")["connections"]
        return {device for device, state in connections.items() if state.get("connected")}

    def folder_status(self, folder_id: str = FOLDER_ID) -> dict[str, Any]:
        """/rest/db/status: state ("idle", "scanning", "syncing", ...), need and global counts."""
        status: dict[str, Any] = self.get("/rest/db/status", folder=folder_id)
        return status

    def completion(self, device: Syncthing, folder_id: str = FOLDER_ID) -> dict[str, Any]:
        """How complete `device` is in this instance's view (/rest/db/completion)."""
        done: dict[str, Any] = self.get(
            "/rest/db/completion", folder=folder_id, device=device.device_id
        )
        return done

    def folder_errors(self, folder_id: str = FOLDER_ID) -> Any:
        return self.get("/rest/folder/errors", folder=folder_id)

    def _wait(self, condition: Any, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise SyncthingTimeout(f"{self.name} failed {what} in {timeout:g} s\n{self.tail()}")
            time.sleep(POLL)


def _set(parent: ElementTree.Element, tag: str, value: str) -> None:
    element = parent.find(tag)
    if element is None:
        element = ElementTree.SubElement(parent, tag)
    element.text = value


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
                instance.gui_port, instance.listen_port = _free_port(), _free_port()
                instance.start()
        cluster.introduce()
        cluster.wait_synced()
        yield cluster
