"""Starting the desktop app: one instance, a window painted at once, then the data behind it.

The order matters for how fast the app feels: the window's frame is shown first (only Qt is
imported by then), and the database layer is imported and opened right after the first paint.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    QSocketNotifier,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from followthrough import APP_ID, APP_NAME, __version__
from followthrough.errors import DisplayUnavailable
from followthrough.paths import DataPaths
from followthrough.shipped import resource_path
from followthrough.ui.gc_guard import GuiThreadCollector
from followthrough.ui.main_window import MainWindow
from followthrough.ui.single_instance import SingleInstance

if TYPE_CHECKING:
    from followthrough.services.first_look import FirstLook
    from followthrough.ui.ops import Operations
    from followthrough.ui.session import AppSession


def launch_time() -> float:
    """The monotonic moment the launch began: given by a launcher that measures, else now."""
    given = os.environ.get("FOLLOWTHROUGH_T0")
    try:
        return float(given) if given else time.monotonic()
    except ValueError:
        return time.monotonic()


class _FirstPaint(QObject):
    """Notes when the window is first painted, and starts what waits for it."""

    def __init__(self, t0: float, then: Callable[[], None]) -> None:
        super().__init__()
        self.t0 = t0
        self.then = then
        self.ms: float | None = None  # from the launch to the first paint
        self.exec_at: float | None = None  # when the event loop started
        self.from_exec_ms: float | None = None  # from there to the first paint

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.ms is None and event.type() == QEvent.Type.Paint:
            now = time.monotonic()
            self.ms = (now - self.t0) * 1000
            if self.exec_at is not None:
                self.from_exec_ms = (now - self.exec_at) * 1000
            QTimer.singleShot(0, self.then)  # after this paint is on screen
        return False


def no_display_reason(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """Why a window cannot open here (Linux without X11 or Wayland), before Qt aborts on it."""
    if not sys.platform.startswith("linux") or QApplication.instance() is not None:
        return None
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return None  # offscreen, vnc...: Qt needs no display
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to open the app on (DISPLAY and WAYLAND_DISPLAY are unset); "
        "the commands work without one: followthrough --help"
    )


# Said by Qt's offscreen platform for every window; it means nothing to a user.
_NOISE = ("This plugin does not support propagateSizeHints()",)


def _qt_messages(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message not in _NOISE:
        print(message, file=sys.stderr)


def _quit_on_termination(app: QApplication) -> Callable[[], None]:
    """SIGTERM (logout, shutdown, `kill`) and Ctrl+C quit like File > Quit: writes land.

    Python runs signal handlers only when it gets control, and Qt's loop may sleep for a
    minute: the signal's byte on a socket pair wakes the loop, which lets the handler run.
    """
    import signal
    import socket

    wake_read, wake_write = socket.socketpair()
    for end in (wake_read, wake_write):
        end.setblocking(False)
    previous_fd = signal.set_wakeup_fd(wake_write.fileno())
    notifier = QSocketNotifier(wake_read.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda: wake_read.recv(64))
    numbers = (signal.SIGTERM, signal.SIGINT)
    previous = {number: signal.getsignal(number) for number in numbers}
    for number in numbers:
        # exit(), not quit(): Qt 6's quit() first asks every window to close, and a window
        # that lives on in the tray says no, so a logout would leave the app running.
        signal.signal(number, lambda *_: app.exit(0))

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        wake_read.close()
        wake_write.close()

    return restore


def starts_in_tray(tray: bool, smoke: bool) -> bool:
    """Start with the window hidden? Only where a tray icon can bring it back."""
    if not tray or smoke:  # a smoke run measures the window: it must show
        return False
    from followthrough.ui.tray import TrayIcon

    return TrayIcon.is_available()


def run_gui(
    paths: DataPaths,
    smoke: bool = False,
    t0: float | None = None,
    screenshot: str | None = None,
    tray: bool = False,
) -> int:
    """Open the app; with `tray` (a start at login), only its tray icon when there is a tray."""
    t0 = launch_time() if t0 is None else t0
    reason = no_display_reason()
    if reason is not None:
        raise DisplayUnavailable(reason)
    qInstallMessageHandler(_qt_messages)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    QGuiApplication.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource_path("icons", "followthrough.svg"))))

    instance = SingleInstance(paths.root)
    if not instance.acquire():
        print(f"{APP_NAME} is already running on this data folder: its window was brought forward.")
        return 0

    from followthrough import logfile
    from followthrough.ui.uncaught import UncaughtErrors

    # What nothing else catches is logged and told in a box; the log file itself is opened
    # once the first look is on screen (its module would slow the first paint down).
    uncaught = UncaughtErrors()
    uncaught.install()
    log_owned = logfile.log_path() is None  # a caller (a test) may have opened one already
    restore_signals = _quit_on_termination(app)
    # Before any worker thread starts: cycles holding Qt objects are freed on this thread only.
    collector = GuiThreadCollector(app)
    from followthrough.services.integrity import quick_check_soon
    from followthrough.ui.startup import StartupLoader

    # The integrity check reads the whole file in C, without the GIL, on a thread of its own:
    # started before the window, it runs while the window paints and the database layer is
    # imported, instead of after them (a 120 MB pipeline takes about 300 ms to check).
    checked = quick_check_soon(paths.database)
    window = MainWindow()
    uncaught.window = window
    hidden = starts_in_tray(tray, smoke)
    # The board is read and shown before the database layer has loaded (see startup.py);
    # what the person asks for meanwhile waits in the worker's queue until the file is open.
    loader = StartupLoader(paths.database, checked, window)
    runner: list[Operations] = []  # made after the first paint: its module costs 30 ms
    session: list[AppSession] = []
    outcome: dict[str, Exception] = {}
    ready_at: list[float] = []  # when the board and Today first showed the person's data

    def show_window_data() -> None:
        from followthrough.ui.theme import follow_system_scheme

        # Only now, once the window is on screen: the loader's imports would compete with
        # building and painting it for the interpreter. Its answers come through the event
        # loop, after the window is attached below; its read overlaps with the attaching.
        def first_look(look: FirstLook) -> None:
            window.show_first_look(look)
            # Once it is painted (the next turn of the event loop), the imports may go on.
            QTimer.singleShot(0, loader.look_shown)

        loader.looked.connect(first_look)
        loader.imported.connect(open_session)
        loader.start(look=not hidden)
        # After the first paint: reading the colour scheme wakes Qt's whole enum namespace.
        follow_system_scheme(app)
        from followthrough.ui.ops import Operations

        runner.append(Operations(None, path=paths.database))
        window.attach(runner[0])
        if smoke:
            # Ready means what a person sees: the board painted with its cards, and Today's
            # list loaded; the run ends once the database is open and read too.
            waiting = {"board", "today"}

            def seen(part: str) -> None:
                waiting.discard(part)
                if not waiting and not ready_at:
                    window.repaint()  # the board as loaded, painted now, before the clock stops
                    ready_at.append(time.monotonic())
                    if opened_and_read:
                        report_ready()

            window.board_loaded.connect(lambda: seen("board"))
            window.today.loaded.connect(lambda: seen("today"))

    def open_session() -> None:
        from followthrough.errors import StorageError
        from followthrough.ui.session import AppSession

        loader.join()  # its imports are done: this thread imports nothing it is importing
        if log_owned and logfile.open_log() is not None:
            logging.getLogger(__name__).info("%s %s started", APP_NAME, __version__)
        try:
            # A damaged database asks the person what to do (a backup to restore); a smoke
            # run must never wait on a dialog.
            opened = AppSession.open(
                paths, window, app, instance, ask=not smoke, checked=checked, ops=runner[0]
            )
        except StorageError as exc:
            # The CLI prints it too (the caller); a person who double-clicked sees this,
            # unless the damaged-database dialog has already explained it.
            if not smoke and not getattr(exc, "explained", False):
                QMessageBox.critical(
                    window, APP_NAME, f"Followthrough cannot open its data.\n\n{exc}"
                )
            outcome["error"] = exc
            app.exit(exc.exit_code)
            return
        session.append(opened)
        if smoke:
            # Read through the database layer once too: a bundle missing a module fails here.
            window.board_loaded.connect(session_read, Qt.ConnectionType.SingleShotConnection)

    opened_and_read: list[bool] = []

    def session_read() -> None:
        opened_and_read.append(True)
        if ready_at:
            report_ready()

    def report_ready() -> None:
        ready = ((ready_at[0] if ready_at else time.monotonic()) - t0) * 1000
        if screenshot:
            window.grab().save(screenshot)
        first = painted.ms if painted.ms is not None else ready
        from_exec = painted.from_exec_ms if painted.from_exec_ms is not None else first
        import json

        timings = {"first_paint_ms": first, "exec_to_paint_ms": from_exec, "ready_ms": ready}
        print(json.dumps({name: round(ms, 1) for name, ms in timings.items()}))
        sys.stdout.flush()
        app.quit()

    # The data is shown once the window had its first paint; hidden, it is opened at once.
    painted = _FirstPaint(t0, show_window_data)
    if hidden:
        QTimer.singleShot(0, show_window_data)
    else:
        window.installEventFilter(painted)
        window.show()
    try:
        painted.exec_at = time.monotonic()
        code = app.exec()
    finally:
        loader.join()  # nothing of it may run on while the window goes away
        if session:
            session[0].close()
        elif runner:
            runner[0].shutdown()  # the database never opened: nothing waits to be written
        window.removeEventFilter(painted)
        instance.release()
        restore_signals()
        uncaught.uninstall()
        if log_owned:
            logfile.close_log()
        collector.stop()
    if "error" in outcome:
        raise outcome["error"]
    return code
