"""Syncs with the other devices every minute while sync is set up, at start, on demand, and
soon after something changes here or in the sync folder (watcher.py says how passes are timed,
retried and told).

A pass writes this device's new changes to the sync folder and applies the other devices'
(services/sync/service.py sync_pass): the folder on the watcher's own thread, the database
through the database thread. When a pass applied something, every view reads again, as
after a write by the command line: a lead added on the laptop shows on the desktop's board.

"Soon" is two seconds after the last of a burst: a local edit (Operations.changed) or a file
arriving in the folder (QFileSystemWatcher, best effort: a network mount may never say) starts
the countdown again, so a burst of edits or of copied files makes one pass, not dozens.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from followthrough.errors import FollowthroughError
from followthrough.services.clock import utcnow
from followthrough.services.sync.folder_files import TOP, VERSION_DIR
from followthrough.services.sync.record import PeerStatus
from followthrough.services.sync.service import SyncPass, status, sync_pass
from followthrough.services.turns import DatabaseTurn
from followthrough.ui.changes import EVERYTHING, Changes
from followthrough.ui.ops import Operations
from followthrough.ui.timefmt import moment_words
from followthrough.ui.watcher import MINUTE_MS, PassOutcome, PassWatcher, Wording

INTERVAL_MINUTES = 1
SOON_MS = 2000  # after the last local change or folder event of a burst
WORDING = Wording("Sync is paused")


@dataclass(frozen=True)
class SyncCheck:
    """One pass that worked, and the devices as known after it."""

    done: SyncPass
    device: str  # this device's id
    peers: tuple[PeerStatus, ...]
    watched: tuple[str, ...]  # the folders whose new files call for a pass

    @property
    def applied(self) -> int:
        return self.done.applied.applied


def ago_words(moment: datetime, now: datetime) -> str:
    """'just now', '2 min ago', '3 h ago', or the moment itself when it is older than a day."""
    minutes = int(max((now - moment).total_seconds(), 0) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 24 * 60:
        return f"{minutes // 60} h ago"
    return f"on {moment_words(moment, now)}"


def synced_words(check: SyncCheck, now: datetime) -> str:
    """The status bar's line: 'Synced 2 min ago with Desktop' (the device that wrote last).

    The moment is when that device last wrote: what arrived from it is that recent. Before
    any other device has written, the moment is this device's own last pass.
    """
    heard = [p for p in check.peers if p.last_wrote_at is not None and p.name]
    if not heard:
        return f"Synced {ago_words(check.done.at, now)}"
    latest = max(heard, key=lambda p: p.last_wrote_at or check.done.at)
    wrote = min(latest.last_wrote_at or check.done.at, check.done.at)  # a clock ahead: now
    return f"Synced {ago_words(wrote, now)} with {latest.name}"


def _watched(root: Path, device: str) -> tuple[str, ...]:
    """The sync tree's folders to watch: every device's but this one's (its own writes would
    call for passes of their own), and the top, where a new device's folder appears."""
    base = root / TOP / VERSION_DIR
    try:
        others = [e for e in base.iterdir() if e.is_dir() and e.name != device]
    except OSError:
        others = []
    folders = [str(base)] if base.is_dir() else [str(root)] if root.is_dir() else []
    return tuple(folders + sorted(str(e) for e in others))


def _one_pass(on_database: DatabaseTurn) -> PassOutcome:
    done = sync_pass(on_database)
    if done is None:
        return PassOutcome(None)  # no folder set, or syncing stopped: nothing was synced
    current, folder = on_database(status)
    device = current.device or ""
    watched = _watched(folder, device) if folder is not None else ()
    # The views are told by the watcher itself (everything may have moved, not just leads).
    return PassOutcome(SyncCheck(done, device, current.peers, watched), INTERVAL_MINUTES)


class SyncWatcher(PassWatcher):
    """`checked` carries a SyncCheck; `line_changed` the status bar's line ("" when off);
    `noted` what a pass found worth saying beside its work (a file from a newer version left
    alone, a half-copied one, a restored copy going on as a new device), said once."""

    line_changed = Signal(str)
    noted = Signal(str)

    def __init__(
        self,
        ops: Operations,
        parent: QObject | None = None,
        *,
        minute_ms: int = MINUTE_MS,
        soon_ms: int = SOON_MS,
    ) -> None:
        super().__init__(ops, _one_pass, "sync", WORDING, parent, minute_ms=minute_ms)
        self.line = ""
        self.last_check: SyncCheck | None = None
        self._telling = False  # the watcher's own announcement is not a local change
        self._again = False  # asked for while a pass was under way
        self._said: set[str] = set()  # the last pass's notes, already said
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(soon_ms)
        self._soon.timeout.connect(self._pass_soon)
        self._files = QFileSystemWatcher(self)
        self._files.directoryChanged.connect(self.soon)
        ops.changed.connect(self._changed_here)
        self.finished.connect(self._after_pass)

    @property
    def paused(self) -> bool:
        """The last pass failed: the line says why."""
        return bool(self.status)

    def soon(self) -> None:
        """A pass in a moment (the countdown starts again with each call)."""
        self._soon.start()

    def stop(self) -> None:
        self._soon.stop()
        with contextlib.suppress(RuntimeError):  # the runner is gone already (app closing)
            self.ops.changed.disconnect(self._changed_here)
        self._watch(())
        super().stop()

    # --- what calls for a pass ------------------------------------------------------------------

    def _changed_here(self, changes: Changes) -> None:
        if not self._telling:
            self.soon()

    def _pass_soon(self) -> None:
        if not self.check_now() and self.running:
            self._again = True  # after the one under way: it may have missed this change

    def _after_pass(self) -> None:
        if self._again:
            self._again = False
            self.soon()

    # --- what a pass found ----------------------------------------------------------------------

    def _worked(self, outcome: PassOutcome) -> None:
        if outcome.report is None:
            self.last_check = None
            self._watch(())
            self._set_line("")
        super()._worked(outcome)

    def _found(self, report: object) -> None:
        assert isinstance(report, SyncCheck)
        self.last_check = report
        self._watch(report.watched)
        self._set_line(synced_words(report, utcnow()))
        # A file left alone is noted at every pass while it is there: said once.
        notes = report.done.report.notes
        fresh = [note for note in notes if note not in self._said]
        self._said = set(notes)
        if fresh:
            self.noted.emit(" ".join(fresh))
        if report.applied:
            self._tell(EVERYTHING)  # a lead, an alert, a template or the policy may have moved

    def _failed(self, error: FollowthroughError) -> None:
        super()._failed(error)
        if self._stopped:
            return
        # The status bar has room for what is wrong, not for the reassurance after it (the
        # Sync tab shows the whole of it).
        first, _, _rest = str(error).partition(". ")
        self._set_line(self.wording.problem(first))
        # A folder that refuses writes still brings the other devices' changes.
        found = getattr(error, "report", None)
        if found is not None and sum(getattr(found, "applied", {}).values()):
            self._tell(EVERYTHING)

    def _tell(self, changes: Changes) -> None:
        self._telling = True
        try:
            self.ops.announce(changes)
        finally:
            self._telling = False

    def _watch(self, folders: tuple[str, ...]) -> None:
        current = set(self._files.directories())
        wanted = set(folders)
        if current - wanted:
            self._files.removePaths(sorted(current - wanted))
        if wanted - current:
            self._files.addPaths(sorted(wanted - current))  # best effort: some mounts refuse

    def _set_line(self, line: str) -> None:
        if line != self.line:
            self.line = line
            self.line_changed.emit(line)
