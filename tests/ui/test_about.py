"""Help › About: name, version, the data folder (selectable, opens) and the declared licence."""

from __future__ import annotations

from email.message import Message
from importlib import metadata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

import followthrough
from followthrough.ui import about
from followthrough.ui.about import AboutDialog, declared_licence


def shown_about(qtbot: QtBot, folder: Path) -> AboutDialog:
    dialog = AboutDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_about_names_the_app_its_version_and_opens_the_data_folder(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    # The file manager is the desktop's business; what we owe is the right folder.
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    folder = tmp_path / "my data"
    dialog = shown_about(qtbot, folder)
    assert dialog.windowTitle() == "About Followthrough"
    assert "Followthrough" in dialog.title.text()
    assert dialog.version.text() == f"Version {followthrough.__version__}"
    assert dialog.folder.text() == str(folder)
    assert dialog.folder.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert dialog.licence.text().startswith("Licence: ")
    QTest.mouseClick(dialog.open_folder, Qt.MouseButton.LeftButton)
    assert [Path(url.toLocalFile()) for url in opened] == [folder]
    assert dialog.isVisible()  # opening the folder does not close the box
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def fake_metadata(monkeypatch: pytest.MonkeyPatch, **fields: str | list[str]) -> None:
    meta = Message()
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            meta[name.replace("_", "-")] = item
    monkeypatch.setattr(about.metadata, "metadata", lambda _name: meta)


def test_the_licence_is_what_the_package_declares(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_metadata(monkeypatch, License_Expression="Apache-2.0")
    assert declared_licence() == "Apache-2.0"
    assert shown_about(qtbot, tmp_path).licence.text() == "Licence: Apache-2.0"
    fake_metadata(monkeypatch, Classifier=["Topic :: Office/Business",
                                           "License :: OSI Approved :: MIT License"])  # fmt: skip
    assert declared_licence() == "MIT License"
    fake_metadata(monkeypatch, Summary="no licence here")
    assert declared_licence() == "none is declared in this package's metadata"


def test_without_package_metadata_the_licence_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> Message:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(about.metadata, "metadata", missing)
    assert declared_licence() == "unknown: this build carries no package metadata"


def test_this_package_declares_what_the_box_says() -> None:
    declared = metadata.metadata("followthrough")
    expected = declared.get("License-Expression") or declared.get("License")
    if expected:
        assert declared_licence() == expected.splitlines()[0]
    else:  # today: pyproject.toml declares no licence, and the box says so
        assert declared_licence() == "none is declared in this package's metadata"
