"""File ▸ Export: the file is written off the GUI thread and the user is told where it went."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.services.leads import add_lead
from followthrough.store.db import Database
from followthrough.ui import export_action
from followthrough.ui.export_action import export_data, export_to
from followthrough.ui.ops import Operations
from tests.conftest import NOW


@pytest.fixture
def two_leads(db: Database) -> None:
    add_lead(db, NewLead.create(name="Chloé Dubois", company="Éclair SAS", now=NOW), NOW)
    add_lead(db, NewLead.create(name="Sven Berg", now=NOW), NOW)


# Every test exports a folder holding two leads, stored before the runner (tests/ui/conftest.py)
# opens: fixtures named in usefixtures are set up before those a test asks for by argument.
pytestmark = pytest.mark.usefixtures("two_leads")


def test_export_to_reports_in_the_status_bar(qtbot: QtBot, ops: Operations, tmp_path: Path) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    out = tmp_path / "leads.csv"
    out.write_text("old\n", encoding="utf-8")  # the save dialog already asked to replace it
    said: list[str] = []

    export_to(window, ops, out, "csv", on_done=said.append)

    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said == [f"Exported 2 leads to {out}"]
    assert window.statusBar().currentMessage() == said[0]
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith("Chloé Dubois,Éclair SAS,")


def test_export_to_shows_a_dialog_for_a_plain_parent_and_for_a_failure(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    said: list[str] = []

    export_to(parent, ops, tmp_path / "all.json", "json", on_done=said.append)
    qtbot.waitUntil(lambda: len(said) == 1, timeout=5000)
    [box] = parent.findChildren(QMessageBox)
    assert box.isVisible()
    assert box.text() == f"Exported 2 leads to {tmp_path / 'all.json'}"
    assert json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))["leads"][1]["name"] == (
        "Sven Berg"
    )
    box.close()

    export_to(parent, ops, tmp_path / "missing" / "all.json", "json", on_done=said.append)
    qtbot.waitUntil(lambda: len(said) == 2, timeout=5000)
    failure = [b for b in parent.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in failure] == [
        f"The export did not complete: the folder {tmp_path / 'missing'} does not exist"
    ]
    assert failure[0].icon() == QMessageBox.Icon.Warning


def test_the_chosen_filter_decides_the_format_and_suffix(
    qtbot: QtBot, ops: Operations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    asked: list[str] = []

    def choose(
        parent: QWidget, title: str, suggested: str, filters: str, selected: str
    ) -> tuple[str, str]:
        asked.append(suggested)
        return str(tmp_path / "everything"), export_action.JSON_FILTER

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    export_data(window, ops)

    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=5000)
    made = tmp_path / "everything.json"
    assert window.statusBar().currentMessage() == f"Exported 2 leads to {made}"
    assert json.loads(made.read_text(encoding="utf-8"))["format"] == "followthrough-export"
    [suggested] = asked
    assert Path(suggested).parent == Path.home()
    assert Path(suggested).name.startswith("followthrough-export-")


def test_a_cancelled_dialog_exports_nothing(
    qtbot: QtBot, ops: Operations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    export_data(window, ops)
    assert not ops.busy
    assert not list(tmp_path.rglob("followthrough-export-*"))
