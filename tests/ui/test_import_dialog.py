"""The CSV import dialog: file, mapping with a preview, check or import, progress, summary."""

from __future__ import annotations

import codecs
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QPushButton, QRadioButton
from pytestqt.qtbot import QtBot

from followthrough.domain.csvcolumns import MAPPABLE_FIELDS
from followthrough.domain.leads import NewLead
from followthrough.services import leads
from followthrough.services.lead_queries import list_leads
from followthrough.store.db import Database
from followthrough.ui.first_run import FirstRunPanel
from followthrough.ui.ops import Operations
from followthrough.ui.transfer.fields import FIELD_LABELS
from followthrough.ui.transfer.import_dialog import CANCELLED, ImportDialog
from tests.conftest import NOW

GOOGLE = (
    '"Given Name","Family Name","E-mail 1 - Value","Organization 1 - Name","Notes"\n'
    '"Ana","Silva","ana@acme.com","Acme","Met at the fair"\n'
    '"Ben","Okafor","ben@brightly.io","Brightly",""\n'
    '"Chloé","Martin","chloe@nordpeak.fr","Nordpeak",""\n'
)
EXCEL = "Name;Email;Company;Status\r\nAna Silva;ana@acme.com;Acme;Hot\r\nBen Okafor;ben@brightly.io;Brightly;Warm\r\n"
BAD_EMAIL = "Name,Email,Company\nAna Silva,ana@acme.com,Acme\nBen Okafor,not an address,Brightly\nCara Diaz,cara@xyz.io,Xyz\n"


def write(tmp_path: Path, name: str, text: str, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"))
    return path


def open_dialog(qtbot: QtBot, ops: Operations, path: Path) -> ImportDialog:
    dialog = ImportDialog(ops, path=path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(
        lambda: dialog.preview is not None or dialog.file_problem.isVisible(), timeout=5000
    )
    return dialog


def guessed(dialog: ImportDialog) -> dict[str, str]:
    """Column heading → the lead field its combo shows."""
    return {
        dialog.mapping.item(row, 0).text(): dialog.mapping.combos[row].currentText()
        for row in range(dialog.mapping.rowCount())
    }


def preview_column(dialog: ImportDialog, label: str) -> list[str]:
    model = dialog.rows_view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    if label not in headers:
        return []
    column = headers.index(label)
    return [model.index(row, column).data() for row in range(model.rowCount())]


def pick(dialog: ImportDialog, heading: str, field_label: str) -> None:
    """Choose a field in a column's combo, as a user does."""
    row = next(
        r for r in range(dialog.mapping.rowCount()) if dialog.mapping.item(r, 0).text() == heading
    )
    combo = dialog.mapping.combos[row]
    combo.setCurrentIndex(combo.findText(field_label))


def run_import(qtbot: QtBot, dialog: ImportDialog, ops: Operations, *, dry_run: bool) -> None:
    button = dialog.check_button if dry_run else dialog.import_button
    assert button.isEnabled()
    with qtbot.waitSignal(dialog.import_finished, timeout=20000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.summary


def names(db: Database) -> set[str]:
    return {lead.name for lead in list_leads(db, now=NOW)}


def test_every_lead_field_has_words_in_the_combo() -> None:
    assert set(FIELD_LABELS) == set(MAPPABLE_FIELDS)


def test_a_google_contacts_file_is_mapped_and_previewed_as_leads(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ops, write(tmp_path, "google.csv", GOOGLE))
    assert guessed(dialog) == {
        "Given Name": "First name",
        "Family Name": "Last name",
        "E-mail 1 - Value": "E-mail",
        "Organization 1 - Name": "Company",
        "Notes": "Notes",
    }
    examples = dialog.mapping.item(0, 2).text()
    assert examples == "Ana · Ben · Chloé"
    # First and last name come together as the lead's name, as the import stores it.
    assert preview_column(dialog, "Name") == ["Ana Silva", "Ben Okafor", "Chloé Martin"]
    assert preview_column(dialog, "Company") == ["Acme", "Brightly", "Nordpeak"]
    assert not dialog.mapping_problem.isVisible()
    assert dialog.import_button.isEnabled()
    assert dialog.check_button.isEnabled()
    assert dialog.skip_duplicates.isChecked()


def test_an_excel_file_with_semicolons_and_a_bom_reads_its_headings(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ops, write(tmp_path, "excel.csv", EXCEL, bom=True))
    assert guessed(dialog) == {
        "Name": "Name",
        "Email": "E-mail",
        "Company": "Company",
        "Status": "State",
    }
    assert preview_column(dialog, "State") == ["Hot", "Warm"]


def test_changing_a_column_changes_the_preview(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ops, write(tmp_path, "excel.csv", EXCEL, bom=True))
    pick(dialog, "Company", "Notes")
    assert preview_column(dialog, "Company") == []
    assert preview_column(dialog, "Notes") == ["Acme", "Brightly"]
    pick(dialog, "Company", "(ignore)")
    assert preview_column(dialog, "Notes") == []
    assert dialog.import_button.isEnabled()


def test_one_field_for_two_columns_is_explained_and_blocks_the_import(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ops, write(tmp_path, "excel.csv", EXCEL))
    pick(dialog, "Status", "Company")
    assert dialog.mapping_problem.isVisible()
    assert "Company is chosen for more than one column" in dialog.mapping_problem.text()
    assert not dialog.import_button.isEnabled()
    assert not dialog.check_button.isEnabled()
    pick(dialog, "Status", "State")
    assert not dialog.mapping_problem.isVisible()
    assert dialog.import_button.isEnabled()


def test_without_a_name_column_the_import_waits(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ops, write(tmp_path, "google.csv", GOOGLE))
    pick(dialog, "Given Name", "(ignore)")
    assert dialog.import_button.isEnabled()  # the family name alone still names a lead
    pick(dialog, "Family Name", "(ignore)")
    assert "name" in dialog.mapping_problem.text()
    assert not dialog.import_button.isEnabled()
    assert not dialog.check_button.isEnabled()


def test_a_check_reports_bad_rows_by_line_and_writes_nothing_then_imports(
    qtbot: QtBot, ops: Operations, db: Database, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ops, write(tmp_path, "bad.csv", BAD_EMAIL))
    run_import(qtbot, dialog, ops, dry_run=True)
    summary = dialog.summary
    assert summary.heading.text() == "Checked: nothing was changed."
    assert summary.counts.text().startswith("2 leads to add")
    assert "1 row to skip" in summary.counts.text()
    assert summary.problems.rowCount() == 1
    assert summary.problems.item(0, 0).text() == "3"
    assert summary.problems.item(0, 1).text() == "E-mail"
    assert summary.problems.item(0, 2).text()
    assert not summary.backup.isVisible()
    assert names(db) == set()

    assert summary.import_button.isVisible()
    with qtbot.waitSignal(ops.changed, timeout=20000):
        qtbot.mouseClick(summary.import_button, Qt.MouseButton.LeftButton)
    assert summary.heading.text() == "Import finished."
    assert summary.counts.text() == "2 leads added, 0 merged, 0 duplicates skipped, 1 row skipped."
    assert not summary.import_button.isVisible()
    assert names(db) == {"Ana Silva", "Cara Diaz"}


def test_an_import_adds_the_leads_and_keeps_a_backup(
    qtbot: QtBot, ops: Operations, db: Database, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ops, write(tmp_path, "google.csv", GOOGLE))
    with qtbot.waitSignal(ops.changed, timeout=20000):
        run_import(qtbot, dialog, ops, dry_run=False)
    assert dialog.summary.counts.text().startswith("3 leads added")
    assert not dialog.summary.problems.isVisible()
    assert names(db) == {"Ana Silva", "Ben Okafor", "Chloé Martin"}
    [ana] = [lead for lead in list_leads(db, now=NOW) if lead.name == "Ana Silva"]
    assert (ana.email, ana.company) == ("ana@acme.com", "Acme")
    assert dialog.summary.backup.isVisible()
    backup = dialog.summary.report.backup if dialog.summary.report else None
    assert backup is not None
    assert backup.exists()
    assert str(backup) in dialog.summary.backup.text()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseClick(dialog.summary.done_button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(("merge", "counts", "company"), [
    (False, "1 lead added, 0 merged, 1 duplicate skipped, 0 rows skipped.", "Old Co"),
    (True, "1 lead added, 1 merged, 0 duplicates skipped, 0 rows skipped.", "Acme"),
])  # fmt: skip
def test_a_known_email_is_skipped_or_merged_as_chosen(
    qtbot: QtBot,
    ops: Operations,
    db: Database,
    tmp_path: Path,
    merge: bool,
    counts: str,
    company: str,
) -> None:
    known = NewLead.create(name="Ana Silva", now=NOW, email="ana@acme.com", company="Old Co")
    leads.add_lead(db, known, NOW)
    dialog = open_dialog(qtbot, ops, write(tmp_path, "excel.csv", EXCEL))
    if merge:
        qtbot.mouseClick(dialog.merge_duplicates, Qt.MouseButton.LeftButton)
        assert dialog.merge_duplicates.isChecked()
    run_import(qtbot, dialog, ops, dry_run=False)
    assert dialog.summary.counts.text() == counts
    found = list_leads(db, now=NOW)
    assert sorted(lead.name for lead in found) == ["Ana Silva", "Ben Okafor"]
    [ana] = [lead for lead in found if lead.name == "Ana Silva"]
    assert ana.company == company


def test_cancel_during_an_import_leaves_nothing(
    qtbot: QtBot, ops: Operations, db: Database, tmp_path: Path
) -> None:
    rows = "".join(f"Person {n},person{n}@example.com,Firm {n % 97}\n" for n in range(50_000))
    dialog = open_dialog(qtbot, ops, write(tmp_path, "big.csv", f"Name,Email,Company\n{rows}"))
    # Hold the worker at its first progress report until Cancel has been clicked, so the
    # import cannot race to its end before the click is seen.
    clicked = threading.Event()
    dialog.relay.progressed.connect(lambda *_: clicked.wait(10), Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(dialog.import_cancelled, timeout=30000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert dialog.pages.currentWidget() is dialog.progress_page
        qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=20000)
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        clicked.set()
    assert dialog.pages.currentWidget() is dialog.setup_page
    assert dialog.notice.text() == CANCELLED
    assert names(db) == set()


def test_a_problem_mid_file_stops_the_import_and_says_where(
    qtbot: QtBot, ops: Operations, db: Database, tmp_path: Path
) -> None:
    # Past what the preview reads, a line that is not UTF-8: the whole file is refused.
    rows = "".join(f"Person {n},person{n}@example.com\n" for n in range(3000))
    path = tmp_path / "broken.csv"
    path.write_bytes(f"Name,Email\n{rows}".encode() + b"Caf\xe9 Owner,owner@cafe.fr\n")
    dialog = open_dialog(qtbot, ops, path)
    with qtbot.waitSignal(dialog.import_failed, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.setup_page
    assert dialog.file_problem.isVisible()
    assert "Nothing was imported" in dialog.file_problem.text()
    # The header, 3000 good rows, then the café owner's line.
    assert "Line 3002: the text is not valid UTF-8" in dialog.file_problem.text()
    assert names(db) == set()


def test_a_binary_file_is_explained_and_its_path_kept(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    dialog = open_dialog(qtbot, ops, path)
    assert dialog.file_problem.isVisible()
    assert "binary" in dialog.file_problem.text()
    assert dialog.path.text() == str(path)
    assert not dialog.import_button.isEnabled()
    assert not dialog.check_button.isEnabled()


def test_a_missing_file_is_explained(qtbot: QtBot, ops: Operations, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, ops, tmp_path / "nowhere.csv")
    assert "no file" in dialog.file_problem.text()
    assert not dialog.import_button.isEnabled()


def test_browse_reads_the_chosen_file(
    qtbot: QtBot, ops: Operations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "google.csv", GOOGLE)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dialog = ImportDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.previewed, timeout=5000):
        qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.path.text() == str(path)
    assert preview_column(dialog, "Name")[0] == "Ana Silva"


def test_enter_in_the_path_field_loads_the_file_without_the_file_chooser(
    qtbot: QtBot, ops: Operations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "google.csv", GOOGLE)
    chooser: list[object] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: chooser.append(a) or ("", "")
    )
    dialog = ImportDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QTest.mouseClick(dialog.path, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.path, str(path))
    with qtbot.waitSignal(dialog.previewed, timeout=5000):
        qtbot.keyClick(dialog.path, Qt.Key.Key_Return)
    assert chooser == []
    assert preview_column(dialog, "Name")[0] == "Ana Silva"
    # Enter again, with the file loaded: it neither opens the chooser nor starts an import.
    qtbot.keyClick(dialog.path, Qt.Key.Key_Enter)
    assert chooser == []
    assert dialog.pages.currentWidget() is dialog.setup_page
    assert dialog.isVisible()
    assert names(ops.db) == set()


def test_copy_report_puts_the_skipped_rows_on_the_clipboard(
    qtbot: QtBot, ops: Operations, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, ops, write(tmp_path, "bad.csv", BAD_EMAIL))
    run_import(qtbot, dialog, ops, dry_run=True)
    qtbot.mouseClick(dialog.summary.copy_button, Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    assert text.startswith("Checked: nothing was changed.\n2 leads to add")
    assert "Line 3, E-mail: " in text


def test_every_button_has_a_name_and_a_key(qtbot: QtBot, ops: Operations) -> None:
    dialog = ImportDialog(ops)
    qtbot.addWidget(dialog)
    buttons = [*dialog.findChildren(QPushButton), *dialog.findChildren(QRadioButton)]
    assert len(buttons) >= 10
    for button in buttons:
        assert button.accessibleName(), button.text()
        assert "&" in button.text() or button is dialog.close_button, button.text()


def test_the_first_run_panel_offers_the_import(qtbot: QtBot, ops: Operations) -> None:
    panel = FirstRunPanel(ops)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.import_button.isVisible()
    with qtbot.waitSignal(panel.import_requested, timeout=1000):
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)


def test_closing_during_an_import_cancels_it_first(
    qtbot: QtBot, ops: Operations, db: Database, tmp_path: Path
) -> None:
    rows = "".join(f"Person {n},person{n}@example.com\n" for n in range(10_000))
    dialog = open_dialog(qtbot, ops, write(tmp_path, "big.csv", f"Name,Email\n{rows}"))
    closing = threading.Event()
    dialog.relay.progressed.connect(lambda *_: closing.wait(10), Qt.ConnectionType.DirectConnection)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=20000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # until the import has rolled back
    assert dialog.progress_label.text() == "Cancelling…"
    with qtbot.waitSignal(dialog.rejected, timeout=20000):
        closing.set()
    assert names(db) == set()


@pytest.mark.parametrize("width", [1080, 420])
def test_the_first_run_buttons_fit_a_narrow_window(
    qtbot: QtBot, ops: Operations, width: int
) -> None:
    panel = FirstRunPanel(ops)
    qtbot.addWidget(panel)
    panel.resize(width, 680)
    panel.show()
    qtbot.waitExposed(panel)
    viewport = panel.page_scroll.viewport()
    qtbot.waitUntil(lambda: panel.page_scroll.widget().width() <= viewport.width(), timeout=2000)
    buttons = (panel.add_button, panel.sample_button, panel.import_button)
    for button in buttons:
        right = button.mapTo(viewport, button.rect().topRight()).x()
        assert 0 <= right <= viewport.width()
    tops = {button.mapTo(viewport, button.rect().topLeft()).y() for button in buttons}
    assert len(tops) == (1 if width == 1080 else 3)  # one row when it fits, else stacked
