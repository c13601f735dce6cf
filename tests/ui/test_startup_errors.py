"""A person who double-clicks the app sees why it cannot open its data, in a dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from followthrough.errors import StorageError
from followthrough.paths import DataPaths
from followthrough.ui.app import run_gui


def test_unreadable_database_is_explained_in_a_dialog(qtbot: QtBot, data_paths: DataPaths) -> None:
    data_paths.database.write_bytes(b"not a database at all" * 200)
    seen: list[str] = []

    def answer_when_shown() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()

    # The window paints first and the dialog follows: answer it from inside its own loop.
    answering = QTimer(interval=20, timeout=answer_when_shown)
    answering.start()
    with pytest.raises(StorageError):
        run_gui(data_paths)
    answering.stop()
    assert seen
    assert "cannot open its data" in seen[0]
    assert "not a Followthrough database" in seen[0]
    assert data_paths.database.read_bytes() == b"not a database at all" * 200
