"""Where the data lives: --data-dir, then the variable, then the folder chosen in Settings."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from followthrough.errors import StorageError
from followthrough.paths import (
    ENV_DATA_DIR,
    LOCATION_FILE,
    config_dir,
    default_data_dir,
    resolve_data_dir,
    save_data_dir,
    saved_data_dir,
)


@pytest.fixture(autouse=True)
def config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    home = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture
def location_file(tmp_path: Path) -> Path:
    path = config_dir() / LOCATION_FILE
    # Never the developer's own config folder.
    assert path.is_relative_to(tmp_path)
    return path


def test_nothing_saved_means_the_platform_folder(tmp_path: Path) -> None:
    assert saved_data_dir() is None
    assert resolve_data_dir(None, {}) == default_data_dir()
    assert default_data_dir().is_relative_to(tmp_path)


def test_the_saved_folder_is_used_but_the_option_and_the_variable_win(tmp_path: Path) -> None:
    chosen, env, cli = tmp_path / "chosen", tmp_path / "env", tmp_path / "cli"
    save_data_dir(chosen)
    assert saved_data_dir() == chosen
    assert resolve_data_dir(None, {}) == chosen
    assert resolve_data_dir(None, {ENV_DATA_DIR: str(env)}) == env
    assert resolve_data_dir(str(cli), {ENV_DATA_DIR: str(env)}) == cli


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_the_choice_is_a_private_json_file_with_no_leftovers(
    tmp_path: Path, location_file: Path
) -> None:
    save_data_dir(tmp_path / "first")
    save_data_dir(tmp_path / "second")
    assert json.loads(location_file.read_text()) == {"data_dir": str(tmp_path / "second")}
    assert stat.S_IMODE(location_file.stat().st_mode) == 0o600
    assert [p.name for p in location_file.parent.iterdir()] == [LOCATION_FILE]


def test_forgetting_goes_back_to_the_default(tmp_path: Path, location_file: Path) -> None:
    save_data_dir(tmp_path / "chosen")
    save_data_dir(None)
    assert not location_file.exists()
    assert resolve_data_dir(None, {}) == default_data_dir()
    save_data_dir(None)  # forgetting twice is not an error


@pytest.mark.parametrize(
    "content",
    [
        b"{ not json",
        b"\xff\xfe garbage",
        b"[]",
        b'{"data_dir": 42}',
        b'{"data_dir": "relative/folder"}',
        b'{"other": "/somewhere"}',
    ],
)
def test_a_broken_config_file_is_ignored(location_file: Path, content: bytes) -> None:
    # A data folder left blank is refused instead: tests/hardening/test_files.py.
    location_file.parent.mkdir(parents=True)
    location_file.write_bytes(content)
    assert saved_data_dir() is None
    assert resolve_data_dir(None, {}) == default_data_dir()


def test_a_relative_folder_is_refused_when_saving(location_file: Path) -> None:
    with pytest.raises(StorageError, match="full path"):
        save_data_dir(Path("relative"))
    assert not location_file.exists()


def test_a_config_folder_that_cannot_be_made_is_explained(
    location_file: Path, tmp_path: Path
) -> None:
    location_file.parent.parent.mkdir(parents=True, exist_ok=True)
    location_file.parent.write_text("a file where the config folder should be")
    with pytest.raises(StorageError, match="cannot save the data folder choice"):
        save_data_dir(tmp_path / "chosen")
