"""Settings › Signals: the notification rules listed in the order tried, switched, moved,
written (refusals under their field), restored, and tried on a sample mail, with the mouse."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QStyle, QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.shippedrules import SHIPPED_RULES
from followthrough.domain.signalrules import SignalRule
from followthrough.domain.signals import SignalKind
from followthrough.services import leads
from followthrough.services.signalrules import list_rules, remove_rule, save_rules, set_enabled
from followthrough.store.db import Database
from followthrough.ui.changes import LEADS, SETTINGS
from followthrough.ui.ops import Operations
from followthrough.ui.settings import SettingsDialog
from followthrough.ui.settings.signals_page import SignalsPage
from followthrough.ui.settings.signals_rule_editor import RuleEditor
from tests.conftest import NOW

OpenPage = Callable[[], SignalsPage]
LEFT = Qt.MouseButton.LeftButton
DOCSEND = "no-reply@docsend.com"


def open_page_with(qtbot: QtBot, ops: Operations) -> SignalsPage:
    page = SignalsPage(ops)
    qtbot.addWidget(page)
    page.resize(760, 640)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show()
    return page


def click(qtbot: QtBot, widget: QWidget) -> None:
    assert widget.isVisible(), widget.accessibleName()
    assert widget.isEnabled(), widget.accessibleName()
    qtbot.mouseClick(widget, LEFT)


def click_row(qtbot: QtBot, page: SignalsPage, row: int) -> None:
    """A click on the row's subject pattern, which selects the row."""
    item = page.table.item(row, 2)
    assert item is not None
    qtbot.mouseClick(page.table.viewport(), LEFT, pos=page.table.visualItemRect(item).center())


def check_box_at(page: SignalsPage, row: int) -> QPoint:
    """Where the row's on/off box is drawn, as the style places it in the rule's cell."""
    item = page.table.item(row, 0)
    assert item is not None
    option = QStyleOptionViewItem()
    page.table.initViewItemOption(option)
    option.rect = page.table.visualItemRect(item)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = page.table.style().subElementRect(
        QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, page.table
    )
    return box.center()


def shown_names(page: SignalsPage) -> list[str]:
    names = []
    for row in range(page.table.rowCount()):
        item = page.table.item(row, 0)
        assert item is not None
        names.append(item.text())
    return names


def test_the_rules_are_shown_in_the_order_tried_and_a_click_on_a_box_switches_one_off(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    page = open_page_with(qtbot, ops)
    assert shown_names(page) == [rule.name for rule in SHIPPED_RULES]
    calendly = [rule.name for rule in SHIPPED_RULES].index("Calendly: new event")
    row = [page.table.item(calendly, c).text() for c in range(4)]  # type: ignore[union-attr]
    assert row == ["Calendly: new event", "@calendly.com", "New Event: {name} - {any}",
                   "Meeting booked"]  # fmt: skip
    with qtbot.waitSignal(page.saved, timeout=5000):
        qtbot.mouseClick(page.table.viewport(), LEFT, pos=check_box_at(page, calendly))
    kept = list_rules(db)
    assert not kept[calendly].enabled
    assert [r.enabled for r in kept].count(False) == 1
    assert page.note.text() == "“Calendly: new event” is off."
    assert page.table.item(calendly, 0).checkState() == Qt.CheckState.Unchecked  # type: ignore[union-attr]

    with qtbot.waitSignal(page.saved, timeout=5000):
        qtbot.mouseClick(page.table.viewport(), LEFT, pos=check_box_at(page, calendly))
    assert list_rules(db)[calendly].enabled


def test_moving_a_rule_up_and_removing_one_is_kept_in_that_order(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    page = open_page_with(qtbot, ops)
    assert not page.up.isEnabled()
    assert not page.remove.isEnabled()
    click_row(qtbot, page, 1)
    assert page.selected_row() == 1
    with qtbot.waitSignal(page.saved, timeout=5000):
        click(qtbot, page.up)
    first, second = SHIPPED_RULES[1].name, SHIPPED_RULES[0].name
    assert [r.name for r in list_rules(db)][:2] == [first, second]
    assert shown_names(page)[:2] == [first, second]
    assert page.selected_row() == 0  # the moved rule stays chosen
    assert not page.up.isEnabled()

    with qtbot.waitSignal(page.saved, timeout=5000):
        click(qtbot, page.remove)
    names = [r.name for r in list_rules(db)]
    assert first not in names
    assert len(names) == len(SHIPPED_RULES) - 1
    assert page.note.text() == f"Removed the rule “{first}”."


def type_rule(qtbot: QtBot, editor: RuleEditor, name: str, sender: str, pattern: str) -> None:
    qtbot.keyClicks(editor.form.name, name)
    qtbot.keyClicks(editor.form.from_edit, sender)
    qtbot.keyClicks(editor.form.pattern, pattern)


def test_a_bad_pattern_is_refused_under_its_field_with_the_text_kept_then_the_fix_is_kept(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    page = open_page_with(qtbot, ops)
    click(qtbot, page.add)
    editor = page.editor
    assert editor is not None
    assert editor.isVisible()
    assert editor.parent() is page
    type_rule(qtbot, editor, "Tool: signed", "@signtool.example", "{name} signed {titel}")
    editor.form.kind.setCurrentIndex(editor.form.kind.findText("Note"))
    click(qtbot, editor.save_button)

    said = editor.problem_text("pattern")
    assert "unknown placeholder {titel}" in said
    assert editor.form.widgets["pattern"].isVisible()
    assert editor.problem_text("name") == ""
    assert editor.problem_text("sender") == ""
    assert editor.isVisible()
    # The refusal pushed nothing out of sight: the help is whole, the buttons inside.
    assert editor.help.height() >= editor.help.heightForWidth(editor.help.width())
    assert editor.rect().contains(editor.buttons.geometry())
    assert editor.form.pattern.text() == "{name} signed {titel}"  # kept as typed
    assert editor.form.name.text() == "Tool: signed"
    assert list_rules(db) == SHIPPED_RULES  # nothing written

    editor.form.pattern.selectAll()
    qtbot.keyClicks(editor.form.pattern, "{name} signed {title}")
    with qtbot.waitSignal(page.saved, timeout=5000):
        click(qtbot, editor.save_button)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=5000)
    wanted = SignalRule.create("Tool: signed", "@signtool.example", "{name} signed {title}",
                               SignalKind.NOTE)  # fmt: skip
    assert list_rules(db)[-1] == wanted
    last = page.table.rowCount() - 1
    assert [page.table.item(last, c).text() for c in range(4)] == [  # type: ignore[union-attr]
        "Tool: signed", "@signtool.example", "{name} signed {title}", "Note"
    ]  # fmt: skip
    assert page.selected_row() == last


def test_a_name_already_used_or_a_bad_sender_is_said_under_its_field(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    page = open_page_with(qtbot, ops)
    click_row(qtbot, page, 0)
    click(qtbot, page.edit)
    editor = page.editor
    assert editor is not None
    assert editor.form.name.text() == SHIPPED_RULES[0].name
    editor.form.name.selectAll()
    qtbot.keyClicks(editor.form.name, SHIPPED_RULES[1].name.upper())
    click(qtbot, editor.save_button)
    assert editor.problem_text("name") == (
        f"Two rules are named '{SHIPPED_RULES[1].name}': give each its own name."
    )
    assert editor.isVisible()

    editor.form.name.selectAll()
    qtbot.keyClicks(editor.form.name, "DocSend: read")
    editor.form.from_edit.selectAll()
    qtbot.keyClicks(editor.form.from_edit, "docsend")
    click(qtbot, editor.save_button)
    assert editor.problem_text("name") == ""
    assert "is not a domain" in editor.problem_text("sender")
    assert list_rules(db) == SHIPPED_RULES

    editor.form.from_edit.selectAll()
    qtbot.keyClicks(editor.form.from_edit, "@docsend.com")
    with qtbot.waitSignal(page.saved, timeout=5000):
        click(qtbot, editor.save_button)
    kept = list_rules(db)
    assert kept[0].name == "DocSend: read"  # changed in its place, still tried first
    assert kept[1:] == SHIPPED_RULES[1:]


def result_becomes(qtbot: QtBot, page: SignalsPage, text: str) -> None:
    qtbot.waitUntil(lambda: page.tester.result.text() == text, timeout=5000)


def test_the_tester_names_the_lead_a_shipped_rule_finds_and_says_why_when_nothing_fits(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    leads.add_lead(db, NewLead.create(name="Dana Reyes", company="Acme", now=NOW), NOW)
    page = open_page_with(qtbot, ops)
    tester = page.tester
    qtbot.mouseClick(tester.subject, LEFT)
    qtbot.keyClicks(tester.subject, "Dana Reyes viewed Proposal for Acme")
    qtbot.keyClicks(tester.from_edit, DOCSEND)
    result_becomes(qtbot, page,
                   "Would log “Proposal viewed” for Dana Reyes (rule DocSend: viewed).")  # fmt: skip

    tester.subject.selectAll()
    qtbot.keyClicks(tester.subject, "Your weekly digest")
    result_becomes(qtbot, page, "It would log nothing: no enabled rule for mail from "
                                f"{DOCSEND} matches this subject.")  # fmt: skip

    tester.subject.selectAll()
    qtbot.keyClicks(tester.subject, "Sam Doe viewed Proposal")
    result_becomes(qtbot, page, "Rule DocSend: viewed fits this mail, but it would log "
                   "nothing: no lead is named Sam Doe, and no lead has the sender's address.")  # fmt: skip

    qtbot.keyClicks(tester.reply_to, "not an address")
    qtbot.waitUntil(lambda: tester.problem_text("reply_to") != "", timeout=5000)
    assert tester.problem_text("reply_to") == "'not an address' is not a valid e-mail address."
    assert tester.problem_text("from") == ""
    assert tester.result.text() == "Correct the address to see what the mail would log."

    tester.reply_to.clear()
    tester.subject.selectAll()
    qtbot.keyClicks(tester.subject, "Dana Reyes viewed Proposal for Acme")
    result_becomes(qtbot, page,
                   "Would log “Proposal viewed” for Dana Reyes (rule DocSend: viewed).")  # fmt: skip
    assert tester.problem_text("reply_to") == ""

    # The rule switched off: the same mail is tried again against the rules as kept.
    with qtbot.waitSignal(page.saved, timeout=5000):
        qtbot.mouseClick(page.table.viewport(), LEFT, pos=check_box_at(page, 0))
    result_becomes(qtbot, page, "It would log nothing: no enabled rule for mail from "
                                f"{DOCSEND} matches this subject.")  # fmt: skip


def test_rules_and_leads_changed_elsewhere_are_shown_and_the_mail_tried_again(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    page = open_page_with(qtbot, ops)
    qtbot.keyClicks(page.tester.subject, "Dana Reyes viewed Proposal for Acme")
    qtbot.keyClicks(page.tester.from_edit, DOCSEND)
    result_becomes(qtbot, page, "Rule DocSend: viewed fits this mail, but it would log "
                   "nothing: no lead is named Dana Reyes, and no lead has the sender's address.")  # fmt: skip

    # A lead added in the window: the same mail now names her.
    new = NewLead.create(name="Dana Reyes", now=NOW)
    ops.run(lambda db: leads.add_lead(db, new, NOW), writes=LEADS)
    result_becomes(qtbot, page,
                   "Would log “Proposal viewed” for Dana Reyes (rule DocSend: viewed).")  # fmt: skip

    # The rule switched off from the command line, then announced (as a backup restore is).
    set_enabled(db, "DocSend: viewed", False)
    ops.announce(SETTINGS)
    qtbot.waitUntil(lambda: page.table.item(0, 0).checkState() == Qt.CheckState.Unchecked,  # type: ignore[union-attr]
                    timeout=5000)  # fmt: skip
    result_becomes(qtbot, page, "It would log nothing: no enabled rule for mail from "
                                f"{DOCSEND} matches this subject.")  # fmt: skip


def test_restoring_the_shipped_rules_asks_first_and_brings_them_back(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    remove_rule(db, "DocSend: viewed")
    mine = SignalRule.create("Mine", "@mine.example", "{name} did it", "note", enabled=False)
    save_rules(db, (*list_rules(db), mine))
    page = open_page_with(qtbot, ops)
    assert shown_names(page)[-1] == "Mine"

    click(qtbot, page.restore)
    box = page.confirmation
    assert box is not None
    assert box.isVisible()
    cancel = box.escapeButton()
    assert isinstance(cancel, QAbstractButton)
    click(qtbot, cancel)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
    assert list_rules(db)[-1] == mine  # asked, not done

    click(qtbot, page.restore)
    with qtbot.waitSignal(page.saved, timeout=5000):
        click(qtbot, page.confirm_button)
    assert list_rules(db) == SHIPPED_RULES
    assert shown_names(page) == [rule.name for rule in SHIPPED_RULES]
    assert page.note.text() == "The shipped rules are back."


def test_the_settings_dialog_has_the_signals_tab(qtbot: QtBot, ops: Operations) -> None:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.signals.loaded, timeout=5000):
        dialog.show()
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "&Signals" in titles
    dialog.tabs.setCurrentWidget(dialog.signals)
    assert dialog.signals.table.rowCount() == len(SHIPPED_RULES)
    # Each Alt key on the tab does one thing: none is shared with a tab or the dialog's buttons.
    texts = titles + [b.text() for b in dialog.buttons.buttons()]
    texts += [w.text() for w in dialog.signals.findChildren(QAbstractButton)]
    texts += [w.text() for w in dialog.signals.findChildren(QLabel) if w.buddy() is not None]
    keys = [text.split("&", 1)[1][0].lower() for text in texts if "&" in text]
    assert len(keys) == len(set(keys)), sorted(keys)
    assert len(keys) >= 15
    dialog.reject()
