"""`followthrough sync`: two data folders sharing one sync folder, as two machines would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from followthrough.cli import main
from tests.cli.conftest import Result

On = Callable[..., Result]  # on("laptop", *args): the CLI run on that machine's data


@pytest.fixture
def machines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, On]:
    shared = tmp_path / "Sync"
    shared.mkdir()

    def on(machine: str, *args: str) -> Result:
        capsys.readouterr()
        code = main(["--data-dir", str(tmp_path / machine), *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return shared, on


def test_a_lead_added_on_one_machine_is_logged_on_the_other_and_comes_back(
    machines: tuple[Path, On],
) -> None:
    shared, on = machines
    assert on("laptop", "sync", "set-folder", str(shared), "--name", "Laptop").code == 0
    assert on("desktop", "sync", "set-folder", str(shared), "--name", "Desktop").code == 0
    assert on("laptop", "add", "Dana Reyes", "--email", "dana@acme.io").code == 0
    assert on("laptop", "sync", "now", "--json").json()["sent"] >= 1
    assert on("desktop", "sync", "now", "--json").json()["leads_changed"] == 1
    assert [lead["name"] for lead in on("desktop", "list", "--json").json()] == ["Dana Reyes"]

    assert on("desktop", "log", "dana", "replied").code == 0
    on("desktop", "sync", "now")
    on("laptop", "sync", "now")
    shown = on("laptop", "show", "dana", "--json").json()
    assert [e["kind"] for e in shown["timeline"]][:1] == ["replied"]
    # Synced again with nothing new: nothing applied twice.
    assert on("laptop", "sync", "now", "--json").json()["applied"] == 0
    status = on("laptop", "sync", "status", "--json").json()
    assert (status["folder"], status["name"]) == (str(shared.resolve()), "Laptop")
    [desktop] = on("laptop", "sync", "devices", "--json").json()["devices"]
    assert desktop["name"] == "Desktop"
    assert desktop["last_wrote_at"] is not None
    assert "Desktop: last wrote" in on("laptop", "sync", "devices").out


def test_a_folder_that_is_not_there_or_holds_the_data_is_refused_in_one_line(
    machines: tuple[Path, On], tmp_path: Path
) -> None:
    _, on = machines
    missing = on("laptop", "sync", "set-folder", str(tmp_path / "nowhere"))
    assert missing.code != 0
    assert missing.err.count("\n") == 1
    assert "is not a folder" in missing.err
    inside = on("laptop", "sync", "set-folder", str(tmp_path))
    assert inside.code != 0
    assert inside.err.count("\n") == 1
    assert "Traceback" not in inside.err
    assert on("laptop", "sync", "now").code != 0  # nothing set: said, not crashed


def test_a_data_folder_inside_dropbox_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    inside = tmp_path / "Dropbox" / "Followthrough"
    inside.parent.mkdir()
    assert main(["--data-dir", str(inside), "list"]) != 0
    said = capsys.readouterr().err
    assert said.count("\n") == 1
    assert "Dropbox copies to other machines" in said
    assert not inside.exists()  # nothing was created there
    assert main(["--data-dir", str(tmp_path / "Followthrough"), "list"]) == 0


def test_what_each_machine_held_before_sync_reaches_the_other(
    machines: tuple[Path, On],
) -> None:
    shared, on = machines
    # Both machines were used on their own first; then sync is turned on, one after the other.
    assert on("laptop", "add", "Dana Reyes", "--email", "dana@acme.io").code == 0
    assert on("laptop", "log", "dana", "sent").code == 0
    assert on("desktop", "add", "Bob Stone", "--company", "Beta").code == 0
    assert on("laptop", "sync", "set-folder", str(shared), "--name", "Laptop").code == 0
    assert on("desktop", "sync", "set-folder", str(shared), "--name", "Desktop").code == 0
    for _ in range(2):
        on("desktop", "sync", "now")
        on("laptop", "sync", "now")
    for machine in ("laptop", "desktop"):
        names = sorted(lead["name"] for lead in on(machine, "list", "--json").json())
        assert names == ["Bob Stone", "Dana Reyes"], machine
    dana = on("desktop", "show", "dana", "--json").json()
    assert "sent" in [e["kind"] for e in dana["timeline"]]
    assert dana["unanswered"] == 1  # recounted from the timeline that arrived
    # Started from once: a further pass brings nothing again.
    assert on("desktop", "sync", "now", "--json").json()["applied"] == 0
    assert sorted(lead["name"] for lead in on("desktop", "list", "--json").json()) == [
        "Bob Stone",
        "Dana Reyes",
    ]


def test_stopping_keeps_what_changes_meanwhile_for_when_the_machine_syncs_again(
    machines: tuple[Path, On],
) -> None:
    shared, on = machines
    for machine, name in (("laptop", "Laptop"), ("desktop", "Desktop")):
        assert on(machine, "sync", "set-folder", str(shared), "--name", name).code == 0
    assert on("laptop", "add", "Dana Reyes").code == 0
    on("laptop", "sync", "now")
    on("desktop", "sync", "now")

    stopped = on("laptop", "sync", "stop")
    assert stopped.code == 0
    assert stopped.out.startswith("This computer no longer syncs. What is changed here meanwhile")
    again = on("laptop", "sync", "stop", "--json")
    assert (again.code, again.json()) == (0, {"stopped": False, "folder": None})
    assert on("laptop", "sync", "status", "--json").json()["folder"] is None
    assert "Sync is off" in on("laptop", "sync", "status").out
    assert on("laptop", "sync", "now").code != 0  # nothing to sync through: said, one line

    assert on("laptop", "add", "Carla Diaz").code == 0  # made while stopped
    on("desktop", "sync", "now")
    assert [lead["name"] for lead in on("desktop", "list", "--json").json()] == ["Dana Reyes"]
    assert on("laptop", "sync", "set-folder", str(shared), "--name", "Laptop").code == 0
    assert on("laptop", "sync", "now", "--json").json()["sent"] >= 1
    on("desktop", "sync", "now")
    names = sorted(lead["name"] for lead in on("desktop", "list", "--json").json())
    assert names == ["Carla Diaz", "Dana Reyes"]


def test_a_device_that_will_not_sync_again_is_forgotten_by_name(
    machines: tuple[Path, On],
) -> None:
    shared, on = machines
    for machine, name in (("laptop", "Laptop"), ("old", "Old laptop"), ("other", "Old laptop")):
        assert on(machine, "sync", "set-folder", str(shared), "--name", name).code == 0
        assert on(machine, "sync", "now").code == 0
    assert on("laptop", "sync", "now").code == 0
    names = sorted(d["name"] for d in on("laptop", "sync", "devices", "--json").json()["devices"])
    assert names == ["Old laptop", "Old laptop"]

    two = on("laptop", "sync", "forget", "old laptop")
    assert two.code != 0
    assert two.out == ""
    assert two.err.startswith("followthrough: several devices are called old laptop: say which")
    assert len(two.err.strip().splitlines()) == 1
    assert (
        on("laptop", "sync", "forget", "Laptop")
        .err.strip()
        .endswith("this is the device you are on: `sync stop` stops it")
    )
    assert "no device called Tablet" in on("laptop", "sync", "forget", "Tablet").err

    [old, _] = on("laptop", "sync", "devices", "--json").json()["devices"]
    done = on("laptop", "sync", "forget", old["device"], "--json").json()
    assert done == {"forgotten": old["device"], "name": "Old laptop"}
    left = on("laptop", "sync", "devices", "--json").json()["devices"]
    assert [d["device"] for d in left] != [old["device"]]
    assert len(left) == 1
    # Published at the next pass, for every device to read.
    assert on("laptop", "sync", "now").code == 0
    mine = next(p for p in (shared / "followthrough-sync" / "v1").iterdir()
                if '"name": "Laptop"' in (p / "device.json").read_text())  # fmt: skip
    assert old["device"] in (mine / "device.json").read_text()
    # It syncs again after all: listed again.
    old_machine = (
        "old"
        if on("old", "sync", "status", "--json").json()["device"] == old["device"]
        else "other"
    )
    assert on(old_machine, "add", "Back again").code == 0
    assert on(old_machine, "sync", "now").code == 0
    assert on("laptop", "sync", "now").code == 0
    assert len(on("laptop", "sync", "devices", "--json").json()["devices"]) == 2
