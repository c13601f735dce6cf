"""The dialogs the main window opens, all through one helper (`present`).

Each is parented to the window (so it closes with it and stays above it), kept referenced
while open, and brought forward instead of opened twice when it is asked for again. Each
module is imported on first use: the window paints before any of them is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMainWindow
from shiboken6 import Shiboken

if TYPE_CHECKING:
    from followthrough.services.csvimport import ImportReport
    from followthrough.services.readmodels import AlertView
    from followthrough.ui.about import AboutDialog
    from followthrough.ui.actions import LeadActions
    from followthrough.ui.archive.dialog import ArchiveDialog
    from followthrough.ui.backups_dialog import BackupsDialog
    from followthrough.ui.drafting.dialog import DraftDialog
    from followthrough.ui.drafting.editor import TemplateEditor
    from followthrough.ui.insights.window import InsightsWindow
    from followthrough.ui.lead.quick_add import QuickAddDialog
    from followthrough.ui.ops import Operations
    from followthrough.ui.settings import SettingsDialog
    from followthrough.ui.shortcuts import ShortcutSheet
    from followthrough.ui.transfer.import_dialog import ImportDialog

D = TypeVar("D", bound=QDialog)


class DialogHost(Protocol):
    """What a dialog's outcome is told to: the main window is one."""

    def say(self, text: str, ms: int = ...) -> None: ...
    def select_after_refresh(self, lead_id: int) -> None: ...
    def select_lead(self, lead_id: int, focus: bool = ...) -> bool: ...
    def account_changed(self) -> None: ...


class WindowDialogs:
    def __init__(
        self, window: QMainWindow, host: DialogHost, ops: Operations, lead_actions: LeadActions
    ) -> None:
        self.window = window
        self.host = host
        self.ops = ops
        self.lead_actions = lead_actions
        self._open: dict[str, QDialog] = {}  # what `present` opened, by what it is for

    def present(
        self, key: str, make: Callable[[], D], *, modal: bool = True, keep: bool = False
    ) -> D:
        """The dialog for `key`: the one already open brought forward, or a new one.

        Modal dialogs are window-modal (the rest of the app keeps running). A dialog goes
        away when closed, unless `keep`: then it is hidden and shown again as it was.
        """
        dialog = self._open.get(key)
        if dialog is None or not Shiboken.isValid(dialog) or not (keep or dialog.isVisible()):
            dialog = make()
            if not keep:
                dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._open[key] = dialog
        if not dialog.isVisible():
            if modal:
                dialog.open()
            else:
                dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return cast(D, dialog)  # made by `make` for this key

    # --- the lead ---------------------------------------------------------------------------

    def open_draft(self, lead_id: int, alert_id: int | None = None) -> DraftDialog:
        """The follow-up for a lead (and the alert it answers), ready to edit and send."""
        from followthrough.ui.drafting.dialog import DraftDialog

        return self.present(
            f"draft {lead_id}",
            lambda: DraftDialog(self.ops, lead_id, alert_id, self.window,
                                actions=self.lead_actions),
        )  # fmt: skip

    def draft_for_alert(self, alert_id: int) -> None:
        """From a notification's Draft button: find the alert's lead, then draft."""
        from followthrough.services.alerts import get_alert

        def draft(alert: AlertView) -> None:
            self.open_draft(alert.lead_id, alert.id)

        self.ops.run(lambda db: get_alert(db, alert_id), draft, owner=self.window)

    def quick_add(self) -> QuickAddDialog:
        from followthrough.ui.lead.quick_add import QuickAddDialog

        def make() -> QuickAddDialog:
            dialog = QuickAddDialog(self.ops, self.window, self.lead_actions)

            def added() -> None:
                if dialog.added:
                    self.host.select_after_refresh(dialog.added)

            dialog.accepted.connect(added)
            return dialog

        return self.present("quick add", make)

    def open_archive(self) -> ArchiveDialog:
        """The won and lost leads: one window, kept while the app runs (it keeps up itself)."""
        from followthrough.ui.archive.dialog import ArchiveDialog

        def make() -> ArchiveDialog:
            archive = ArchiveDialog(self.ops, self.lead_actions, self.window)
            archive.reopened.connect(self.host.select_after_refresh)
            return archive

        archive = self.present("archive", make, modal=False, keep=True)
        archive.search.setFocus()
        return archive

    def open_insights(self) -> InsightsWindow:
        """The reports: one window, kept while the app runs (it reads again when shown)."""
        from followthrough.ui.insights.window import InsightsWindow  # not at start-up

        def make() -> InsightsWindow:
            # focus=False: the person goes on clicking through the report's rows.
            return InsightsWindow(
                self.ops,
                lambda lead_id: self.host.select_lead(lead_id, False),
                self.window,
                history=self.lead_actions,
            )

        return self.present("insights", make, modal=False, keep=True)

    # --- the data ---------------------------------------------------------------------------

    def open_import(self) -> ImportDialog:
        from followthrough.ui.transfer.import_dialog import ImportDialog

        def make() -> ImportDialog:
            dialog = ImportDialog(self.ops, self.window)
            dialog.import_finished.connect(self._imported)
            return dialog

        return self.present("import", make)

    def _imported(self, report: ImportReport) -> None:
        if not report.dry_run:
            self.host.say(f"Imported {report.added:,} leads", 8000)

    def export_data(self) -> None:
        from followthrough.ui.export_action import export_data

        export_data(self.window, self.ops)

    def open_backups(self) -> BackupsDialog:
        from followthrough.ui.backups_dialog import BackupsDialog

        # Leads on the undo stack may not exist in the restored data.
        stack = self.lead_actions.stack
        return self.present(
            "backups", lambda: BackupsDialog(self.ops, self.window, on_restored=stack.clear)
        )

    def open_settings(self) -> SettingsDialog:
        from followthrough.ui.settings import SettingsDialog

        def make() -> SettingsDialog:
            dialog = SettingsDialog(self.ops, self.window)
            dialog.mail.saved.connect(lambda _account: self.host.account_changed())
            dialog.mail.forgotten.connect(lambda: self.host.account_changed())
            return dialog

        return self.present("settings", make)

    def open_templates(self) -> TemplateEditor:
        from followthrough.ui.drafting.editor import TemplateEditor

        return self.present("templates", lambda: TemplateEditor(self.ops, self.window), modal=False)

    # --- help -------------------------------------------------------------------------------

    def show_shortcuts(self) -> ShortcutSheet:
        from followthrough.ui.shortcuts import ShortcutSheet

        return self.present("shortcuts", lambda: ShortcutSheet(self.window.menuBar(), self.window))

    def show_about(self) -> AboutDialog:
        from followthrough.ui.about import AboutDialog

        return self.present("about", lambda: AboutDialog(self.ops.path.parent, self.window))
