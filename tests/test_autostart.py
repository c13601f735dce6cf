"""Starting at login: the XDG autostart entry is written, valid, found, and removed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from followthrough import APP_ID, autostart
from tests.support.components import require_program


@pytest.fixture
def config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def exec_value(entry: Path) -> str:
    [line] = [line for line in entry.read_text().splitlines() if line.startswith("Exec=")]
    return line.removeprefix("Exec=")


def exec_words(value: str) -> list[str]:
    """Read an Exec value back the way the Desktop Entry spec says a launcher does."""
    text = value.replace("\\\\", "\\").replace("%%", "%")  # the string escapes first
    words: list[str] = []
    word, quoted, escaped, started = "", False, False, False
    for char in text:
        if escaped:
            word, escaped = word + char, False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started:
                words.append(word)
            word, started = "", False
        else:
            word, started = word + char, True
    if started:
        words.append(word)
    return words


def test_enable_writes_a_valid_entry_that_starts_the_app_in_the_tray(config_home: Path) -> None:
    validate = require_program("desktop-file-validate")
    assert not autostart.is_enabled()
    written = autostart.enable(["/opt/followthrough/followthrough"])
    assert written == config_home / "autostart" / f"{APP_ID}.desktop"
    assert autostart.is_enabled()
    assert exec_value(written) == "/opt/followthrough/followthrough --tray"
    assert "X-GNOME-Autostart-enabled=true" in written.read_text().splitlines()
    checked = subprocess.run([validate, str(written)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == ""  # not even a hint


def test_disable_removes_the_entry_and_is_quiet_when_there_is_none(config_home: Path) -> None:
    written = autostart.enable(["/usr/bin/followthrough"])
    autostart.disable()
    assert not written.exists()
    assert not autostart.is_enabled()
    autostart.disable()  # nothing left to remove: not an error


def test_a_path_with_spaces_and_quotes_is_quoted_as_the_spec_asks(config_home: Path) -> None:
    validate = require_program("desktop-file-validate")
    program = '/home/ana "a" silva/100% $HOME/followthrough'
    written = autostart.enable([program, "-m", "followthrough"])
    assert exec_words(exec_value(written)) == [program, "-m", "followthrough", "--tray"]
    checked = subprocess.run([validate, str(written)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_entry_switched_off_by_the_desktop_counts_as_off(config_home: Path) -> None:
    written = autostart.enable(["/usr/bin/followthrough"])
    text = written.read_text().replace("Autostart-enabled=true", "Autostart-enabled=false")
    written.write_text(text)
    assert not autostart.is_enabled()
    written.write_text(autostart.entry_text(["/usr/bin/followthrough"]) + "Hidden=true\n")
    assert not autostart.is_enabled()


def test_without_xdg_config_home_the_entry_goes_under_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "ana"))
    assert autostart.autostart_file() == tmp_path / "ana" / ".config" / "autostart" / (
        f"{APP_ID}.desktop"
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")  # invalid: the spec says ignore it
    assert autostart.autostart_file().parent == tmp_path / "ana" / ".config" / "autostart"


def test_the_command_is_the_running_program(monkeypatch: pytest.MonkeyPatch) -> None:
    assert autostart.current_command() == [sys.executable, "-m", "followthrough"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/home/ana/.local/lib/followthrough/followthrough")
    assert autostart.current_command() == ["/home/ana/.local/lib/followthrough/followthrough"]


def test_the_written_command_starts_this_program(config_home: Path, tmp_path: Path) -> None:
    # From source, the entry runs this Python on the package: it must answer like the app.
    written = autostart.enable(autostart.current_command())
    words = exec_words(exec_value(written))
    assert words[-1] == "--tray"
    done = subprocess.run([*words[:-1], "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("followthrough ")
