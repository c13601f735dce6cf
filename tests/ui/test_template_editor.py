"""The template editor: built-ins read-only, duplicate → edit → live preview → save, errors inline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.errors import NotFound
from followthrough.services import leads, templates
from followthrough.store.db import Database
from followthrough.ui.drafting.editor import TemplateEditor
from followthrough.ui.ops import Operations


@pytest.fixture
def editor(qtbot: QtBot, db: Database, ops: Operations) -> TemplateEditor:
    now = datetime.now(UTC)
    leads.add_lead(db, NewLead.create(name="Ana Silva", now=now, company="Acme"), now)
    window = TemplateEditor(ops)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.previewed, timeout=5000):
        window.show()
    qtbot.waitUntil(lambda: window.lead.count() == 2, timeout=5000)
    return window


def select(qtbot: QtBot, editor: TemplateEditor, slug: str) -> None:
    [row] = [i for i in range(editor.library.count()) if editor.library.item(i).data(256) == slug]
    with qtbot.waitSignal(editor.previewed, timeout=5000):
        editor.library.setCurrentRow(row)


def duplicate_first(qtbot: QtBot, editor: TemplateEditor) -> str:
    source = editor.current
    with qtbot.waitSignal(editor.previewed, timeout=5000):
        editor.duplicate_to_edit.click()
    assert editor.current == f"{source}-copy"
    return editor.current


def replace_in_text(editor: TemplateEditor, old: str, new: str) -> None:
    """Edit as a user would: select the words, type over them."""
    text = editor.text.toPlainText()
    start = text.index(old)
    cursor = editor.text.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len(old), QTextCursor.MoveMode.KeepAnchor)
    editor.text.setTextCursor(cursor)
    editor.text.insertPlainText(new)


def test_built_ins_are_listed_as_such_and_read_only(editor: TemplateEditor) -> None:
    first = editor.library.item(0)
    assert first.text().endswith("(built-in)")
    assert editor.text.isReadOnly()
    assert editor.duplicate_to_edit.isVisible()
    assert not editor.delete.isEnabled()
    assert editor.text.toPlainText().startswith(f"slug: {editor.current}\n")
    assert editor.lead.currentText() == "Ana Silva · Acme"
    assert "Ana" in editor.preview_body.toPlainText()  # previewed for the chosen lead
    assert editor.problem.text() == ""


def test_duplicate_edit_preview_save_lists_the_template(
    qtbot: QtBot, editor: TemplateEditor, db: Database
) -> None:
    copy = duplicate_first(qtbot, editor)
    assert not editor.text.isReadOnly()
    assert not editor.duplicate_to_edit.isVisible()
    assert editor.library.currentItem().text().endswith("(copy)")

    first_line = editor.preview_body.toPlainText().splitlines()[0]
    editor.text.moveCursor(QTextCursor.MoveOperation.End)
    with qtbot.waitSignal(editor.previewed, timeout=5000):
        qtbot.keyClick(editor.text, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.text, "P.S. {{ lead.company }} first.")
    assert editor.preview_body.toPlainText().endswith("P.S. Acme first.")
    assert editor.preview_body.toPlainText().splitlines()[0] == first_line
    assert editor.library.currentItem().text().startswith("• ")
    replace_in_text(editor, "(copy)", "my way")

    with qtbot.waitSignal(editor.loaded, timeout=5000):
        editor.save.click()
    stored = templates.get_template(db, copy)
    assert stored.title.endswith("my way")
    assert stored.body.endswith("P.S. {{ lead.company }} first.")
    titles = [editor.library.item(i).text() for i in range(editor.library.count())]
    assert stored.title in titles
    assert editor.current == copy
    assert not editor.save.isEnabled()


def test_a_mistake_names_its_line_and_keeps_the_text(
    qtbot: QtBot, editor: TemplateEditor, db: Database
) -> None:
    copy = duplicate_first(qtbot, editor)
    with qtbot.waitSignal(editor.previewed, timeout=5000):  # after a pause in typing
        replace_in_text(editor, "intent: ", "intent: push")
    typed = editor.text.toPlainText()
    line = next(n for n, text in enumerate(typed.splitlines(), 1) if text.startswith("intent:"))
    assert editor.problem.text().startswith(f"line {line}: unknown intent")
    [mark] = editor.text.extraSelections()
    assert mark.cursor.block().blockNumber() == line - 1

    editor.save.click()
    assert editor.problem.text().startswith(f"Not saved: line {line}:")
    assert editor.text.toPlainText() == typed
    assert templates.get_template(db, copy) == editor.specs[copy]  # stored as duplicated

    replace_in_text(editor, "intent: push", "intent: ")  # back as it was
    editor.text.moveCursor(QTextCursor.MoveOperation.End)
    with qtbot.waitSignal(editor.previewed, timeout=5000):
        qtbot.keyClick(editor.text, Qt.Key.Key_Return)
        qtbot.keyClick(editor.text, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.text, "{{ lead.nmae }}")
    body_line = editor.text.toPlainText().splitlines().index("{{ lead.nmae }}") + 1
    assert editor.problem.text().startswith(f"line {body_line}:")
    assert "nmae" in editor.problem.text()
    assert editor.preview_body.toPlainText() == ""  # never half a message


def test_delete_asks_then_removes_a_users_template(
    qtbot: QtBot, editor: TemplateEditor, db: Database
) -> None:
    copy = duplicate_first(qtbot, editor)
    box = editor.delete_current()
    assert box is not None
    [delete] = [
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    ]
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        delete.click()
    with pytest.raises(NotFound):
        templates.get_template(db, copy)
    assert copy not in editor.specs


def test_export_then_import_a_template_file(
    qtbot: QtBot,
    editor: TemplateEditor,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slug = editor.current
    assert slug is not None
    target = tmp_path / "mine.tmpl"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    editor.export_current()
    qtbot.waitUntil(lambda: editor.status.text().startswith("Exported to"), timeout=5000)
    assert target.read_text(encoding="utf-8").startswith(f"slug: {slug}\n")
    assert target.stat().st_mode & 0o777 == 0o600

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        editor.import_file()
    assert editor.current == f"{slug}-2"
    assert not editor.text.isReadOnly()
    assert templates.get_template(db, f"{slug}-2").body == templates.get_template(db, slug).body
