"""One real Syncthing instance for tests: its home, its copy of the shared folder, its REST API.

Made and driven by tests/support/syncthing.py, which starts several and shares a folder
between them (see there). Here: the config written before the first start (loopback only,
nothing leaves the machine), the process, and the REST calls a person's clicks in
Syncthing's own GUI would make.
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
from pathlib import Path
from typing import Any

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


def free_port() -> int:
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
        self.gui_port = free_port()
        self.listen_port = free_port()
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
            self.gui_port, self.listen_port = free_port(), free_port()
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
