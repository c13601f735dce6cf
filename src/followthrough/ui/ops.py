"""Running work off the GUI thread, and telling the views when data changed.

One worker thread does every database operation in order (SQLite has one writer anyway), so
the GUI thread never waits on a query; slow work that is not a database call (the network,
the keyring) runs on a lane of its own (`Background`), so a mail server that takes twenty
seconds to time out holds nothing else back. Results come back on the GUI thread.

The one rule that keeps this from crashing: **a worker never holds the last reference to
anything the GUI made.** The callbacks, the work closure (which may capture a dialog) and the
result all stay in a table the GUI thread owns; the worker only borrows them and hands back a
ticket number. Otherwise the worker, dropping its references after the GUI thread had already
dropped its own, would destroy a dialog or a widget on the wrong thread while the GUI thread
paints it — the intermittent segfaults in paint events this app used to have.

Every failure reaches the person: an error of the app's own (FollowthroughError, such as
DatabaseBusy when another writer held the file past the busy timeout) is delivered with its
sentence; anything else is delivered as UNEXPECTED, its traceback written to the log file
(logfile.py). Either way it reaches the caller's `on_error`, or else `Operations.failed`,
which the window shows in its status bar; the lane itself always carries on.

Results reach only views that still want them (the owner guard): nothing is called back for
an owner that was deleted, or closed since it asked (`drop_pending`, from a dialog's done());
and of reads submitted under one `latest` name only the newest answer is shown, so a burst of
keystrokes or changes never paints an older read over a newer one.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot
from shiboken6 import Shiboken

from followthrough.errors import FollowthroughError
from followthrough.ui.changes import EVERYTHING, Changes

if TYPE_CHECKING:
    from followthrough.services.database import Database

T = TypeVar("T")
Mark = tuple[tuple[int, str], int]  # ((owner's id, name), the name's epoch when asked)
EVERY_READ = "*"  # the name under which drop_pending(owner) drops all of an owner's answers
log = logging.getLogger(__name__)

UNEXPECTED = "something went wrong; the details are in the log (Help › Open log folder)"


@dataclass
class _Job:
    """One piece of work and what to do with its outcome; owned by the GUI thread."""

    work: Callable[..., Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[FollowthroughError], None] | None
    owner: QObject | None = None  # results for an owner that is gone are dropped
    writes: Changes | None = None
    marks: tuple[Mark, ...] = ()  # epochs that must still hold for the result to be shown
    result: Any = None
    error: FollowthroughError | None = None


def owner_of(callback: Callable[..., Any] | None) -> QObject | None:
    """The Qt object a callback is a method of, if it is one."""
    target = getattr(callback, "__self__", None)
    return target if isinstance(target, QObject) else None


def _run(jobs: dict[int, _Job], ticket: int, finished: Any, argument: tuple[Any, ...]) -> None:
    """On the worker: run the job, leave its outcome in the table, hand back the ticket."""
    job = jobs[ticket]
    try:
        job.result = job.work(*argument)
    except FollowthroughError as exc:
        job.error = exc.with_traceback(None)  # its frames may hold what the work captured
    except BaseException as exc:  # a bug or a library's own error: say so, keep running
        # BaseException too: a stray SystemExit would otherwise end this thread, and every
        # job after it would wait forever. Only the type in the message (a library's text
        # could quote what it was given); the traceback goes to the log for a bug report.
        what = getattr(job.work, "__qualname__", type(job.work).__name__)
        log.error("%s failed off the GUI thread: %s", what, type(exc).__name__, exc_info=True)
        job.error = FollowthroughError(UNEXPECTED)
    del job, argument  # before the hand-back: the GUI thread must be the one to let go
    # RuntimeError: the lane was deleted with its window meanwhile; nobody waits any more.
    with contextlib.suppress(RuntimeError):
        finished.emit(ticket)


@dataclass
class _Waited:
    """Work another worker thread waits for (Operations.call): nothing of the GUI's in it."""

    work: Callable[[Database], Any]
    db: Database
    outcome: Future[Any]

    def run(self) -> None:
        try:
            result = self.work(self.db)
        except BaseException as exc:  # the caller's thread decides what it means
            self.outcome.set_exception(exc)
        else:
            self.outcome.set_result(result)


def _serve(queue: SimpleQueue[tuple[Any, ...] | _Waited | None]) -> None:
    """The worker thread's loop: jobs in the order they came, until the sentinel."""
    while (item := queue.get()) is not None:
        if isinstance(item, _Waited):
            item.run()
        else:
            _run(*item)
        del item  # nothing of a finished job stays on this thread while it waits


class _Lane(QObject):
    """One worker thread, and the hand-back of its outcomes to the GUI thread, in order."""

    _finished = Signal(int)

    def __init__(self, name: str, parent: QObject | None = None, *, daemon: bool = False) -> None:
        super().__init__(parent)
        self._queue: SimpleQueue[tuple[Any, ...] | _Waited | None] = SimpleQueue()
        # A lane that may block on the network or a keyring prompt is a daemon thread, so a
        # stuck call can never keep the app from quitting; the database lane is not: a write
        # in flight must land.
        self._thread = threading.Thread(
            target=_serve, args=(self._queue,), name=f"followthrough-{name}", daemon=daemon
        )
        self._thread.start()
        self._jobs: dict[int, _Job] = {}
        self._tickets = itertools.count(1)
        self._closed = False
        # Held while closing, and by another thread queueing work (Operations.call), so
        # nothing is ever queued behind the sentinel, where it would wait forever.
        self._closing = threading.Lock()
        self._home = threading.get_ident()  # the GUI thread, which made the lane
        # Always queued: an outcome is never delivered inside the call that asked for it.
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def _start(self, job: _Job, argument: tuple[Any, ...]) -> bool:
        if self._closed:
            return False
        ticket = next(self._tickets)
        self._jobs[ticket] = job
        self._queue.put((self._jobs, ticket, self._finished, argument))
        return True

    @Slot(int)
    def _deliver(self, ticket: int) -> None:
        job = self._jobs.pop(ticket, None)
        if job is None:
            return  # shut down meanwhile: nothing is delivered to views going away
        if job.owner is not None and not Shiboken.isValid(job.owner):
            return  # the window that asked is gone: nobody is left to show the answer
        self._handle(job)

    def _handle(self, job: _Job) -> None:
        if job.error is not None:
            if job.on_error is not None:
                job.on_error(job.error)
            return
        if job.on_done is not None:
            job.on_done(job.result)

    def shutdown(self) -> None:
        """Finish what is queued (a write must not be lost on quit), then stop the worker."""
        with self._closing:
            self._closed = True
            self._queue.put(None)
        self._thread.join()
        self._jobs.clear()  # nothing is delivered after shutdown: the views are going away


class Operations(_Lane):
    """The database worker every view goes through."""

    _waiting: list[_Job]

    changed = Signal(object)  # Changes: something was written, views re-read what moved
    failed = Signal(str)  # a user-facing message for an operation without its own handler

    def __init__(
        self, db: Database | None, parent: QObject | None = None, *, path: Path | None = None
    ) -> None:
        """With `db` None (the app starting), work waits until `open` gives the database;
        `path` then says which file it will be.
        """
        super().__init__("db", parent)
        self._db = db
        known = Path(db.path) if db is not None else path
        if known is None:
            raise ValueError("an operation runner needs its database or the database's path")
        self.path: Path = known  # the database file, known before it is open
        self._waiting: list[_Job] = []
        # (owner's id, name) → epoch; ids of owners gone are harmless: a new owner at the
        # same address records the current epoch when it asks, and only newer ones drop it.
        self._epochs: dict[tuple[int, str], int] = {}
        self._stamps = itertools.count(1)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is not open yet")
        return self._db

    @property
    def is_open(self) -> bool:
        return self._db is not None

    @property
    def busy(self) -> bool:
        return bool(self._jobs or self._waiting)

    def shutdown(self) -> None:
        self._waiting.clear()  # never opened (the start failed): nothing can run
        super().shutdown()

    def open(self, db: Database) -> None:
        """Start the work that waited for the database, in the order it was asked."""
        self._db = db
        self.path = Path(db.path)
        waiting, self._waiting = self._waiting, []
        for job in waiting:
            self._start(job, (db,))

    def run(
        self,
        work: Callable[[Database], T],
        on_done: Callable[[T], None] | None = None,
        *,
        writes: Changes | bool = False,
        on_error: Callable[[str], None] | None = None,
        owner: QObject | None = None,
        latest: str | None = None,
        follows: str | None = None,
    ) -> None:
        """Run `work(db)` on the worker; call `on_done(result)` back on the GUI thread.

        With `owner`, nothing is called back once that object has been deleted, or closed
        (drop_pending) since it asked; a callback that is a method of a Qt object has that
        object as its owner without saying so. With `latest`, an answer is shown only if no
        newer read of that name was asked since (by the same owner); with `follows`, only if
        no newer `latest` read of that name was (a further page of the rows on screen).

        `writes` says what the work changes (True: anything may have); it is announced on
        `changed` even when the owner is gone: the data moved, whoever asked for it. A write
        that failed emits `failed` when nobody is left to hear it, so the window says it.
        """
        owner = owner or owner_of(on_done) or owner_of(on_error)
        handler = on_error
        job = _Job(
            work,
            on_done,
            (lambda exc: handler(str(exc))) if handler is not None else None,
            owner,
            EVERYTHING if writes is True else (writes or None),
            self._marks(owner, latest, follows),
        )
        if self._db is None:
            if not self._closed:
                self._waiting.append(job)  # the app is starting: it runs once the file is open
            return
        self._start(job, (self._db,))

    def announce(self, changes: Changes) -> None:
        """Data changed without a write of this runner's (a mail pass, a tick, another app)."""
        self.changed.emit(changes)

    def drop_pending(self, owner: QObject, name: str | None = None) -> None:
        """Drop the answers not yet shown to `owner` (all of them, or those asked under
        `name`): it closed, or what they would show is no longer wanted."""
        self._epochs[(id(owner), name or EVERY_READ)] = next(self._stamps)

    def guard(
        self,
        callback: Callable[[T], None] | None,
        owner: QObject | None = None,
        *,
        otherwise: Callable[[T], None] | None = None,
    ) -> Callable[[T], None] | None:
        """`callback`, called only while its owner (given, or the Qt object it is a method
        of) is alive and not closed since; else `otherwise`, if given. For callbacks handed
        to code that runs work of its own (LeadActions), which knows nothing of who asked."""
        owner = owner or owner_of(callback)
        if callback is None or owner is None:
            return callback
        marks, call, held = self._marks(owner, None, None), callback, owner

        def guarded(value: T) -> None:
            if Shiboken.isValid(held) and self._current(marks):
                call(value)
            elif otherwise is not None:
                otherwise(value)

        return guarded

    def _marks(
        self, owner: QObject | None, latest: str | None, follows: str | None
    ) -> tuple[Mark, ...]:
        who = id(owner) if owner is not None else 0
        marks: list[Mark] = []
        if owner is not None:
            marks.append(((who, EVERY_READ), self._epochs.get((who, EVERY_READ), 0)))
        if latest is not None:
            stamp = self._epochs[(who, latest)] = next(self._stamps)
            marks.append(((who, latest), stamp))
        if follows is not None:
            marks.append(((who, follows), self._epochs.get((who, follows), 0)))
        return tuple(marks)

    def _current(self, marks: tuple[Mark, ...]) -> bool:
        return all(self._epochs.get(key, 0) == epoch for key, epoch in marks)

    def call(self, work: Callable[[Database], T]) -> T:
        """From another worker thread: run `work(db)` on the database thread, wait, return.

        For work whose slow part is not the database (the mail watch waits on the network):
        it stays on its own thread and hands each read and write to this one, so they take
        their turn with everything else the app writes. Its errors are raised here, to the
        caller; nothing goes through the GUI thread, which may itself be waiting for the
        caller to finish (closing the app waits for a mail pass in flight).
        """
        if threading.get_ident() == self._home:
            raise RuntimeError("Operations.call would block the GUI thread: use run()")
        if threading.current_thread() is self._thread:
            return work(self.db)  # already on the database thread: waiting on it would hang
        outcome: Future[T] = Future()
        with self._closing:
            if self._closed or self._db is None:
                raise FollowthroughError("the app is closing or not open yet; nothing was done")
            self._queue.put(_Waited(work, self._db, outcome))
        return outcome.result()

    def _deliver(self, ticket: int) -> None:
        job = self._jobs.pop(ticket, None)
        if job is None:
            return
        alive = job.owner is None or Shiboken.isValid(job.owner)
        if alive and self._current(job.marks):
            if job.error is not None and job.on_error is None:
                self.failed.emit(str(job.error))
            else:
                self._handle(job)
        elif job.error is not None and job.writes is not None:
            # The dialog that asked is closed, but the person still believes the change was
            # made: a change that did not happen is said in the window's status bar instead.
            self.failed.emit(str(job.error))
        if job.writes is not None and job.error is None:
            self.changed.emit(job.writes)


class Background(_Lane):
    """Slow work that is not a database call, on a thread of its own."""

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[FollowthroughError], None],
    ) -> bool:
        """Start `work()`; False when closed (nothing runs, nothing comes back)."""
        owner = owner_of(on_done) or owner_of(on_error)
        return self._start(_Job(work, on_done, on_error, owner), ())

    def _deliver(self, ticket: int) -> None:
        if self._closed:
            self._jobs.pop(ticket, None)
            return  # the owner is going away: its widgets may already be gone
        super()._deliver(ticket)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(name, parent, daemon=True)

    def shutdown(self, wait: bool = True) -> None:
        """Drop what has not started; wait for the work in flight (it may be writing).

        `wait=False` (a dialog closing) lets a call that hangs finish on its own.
        """
        with self._closing:
            self._closed = True
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put(None)
        if wait:
            self._thread.join()
        self._jobs.clear()
