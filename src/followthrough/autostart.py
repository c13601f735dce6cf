"""Starting at login: an XDG autostart entry that opens the app in the tray.

Desktops (GNOME, KDE, Xfce, ...) start every `.desktop` file in `$XDG_CONFIG_HOME/autostart` at
login. The entry names the program that is running now, so it starts the same install again.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from followthrough import APP_ID, APP_NAME

TRAY_FLAG = "--tray"

# Characters that make the Desktop Entry spec ask for an Exec argument to be quoted.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
# Inside quotes, these take a backslash.
_ESCAPED_IN_QUOTES = '"`$\\'


def autostart_file() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or ""
    # The spec says a relative value is invalid and must be ignored.
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "autostart" / f"{APP_ID}.desktop"


def current_command() -> list[str]:
    """How to start the program running now: the bundle's executable, or Python on the module."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "followthrough"]


def exec_line(command: list[str]) -> str:
    """The command as an Exec value: each argument quoted as needed, then escaped as a string."""
    quoted = []
    for word in command:
        if word == "" or any(char in _RESERVED for char in word):
            inner = "".join(f"\\{char}" if char in _ESCAPED_IN_QUOTES else char for char in word)
            word = f'"{inner}"'
        quoted.append(word.replace("%", "%%"))
    # Exec is a string value too: its own escapes apply on top of the quoting.
    return " ".join(quoted).replace("\\", "\\\\")


def entry_text(command: list[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_NAME}\n"
        "Comment=Keep follow-up alerts coming from the tray, from login on\n"
        f"Exec={exec_line([*command, TRAY_FLAG])}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def enable(command: list[str]) -> Path:
    """Write the entry (replacing an older one) and return where it is."""
    target = autostart_file()
    from followthrough.store.safefiles import make_private_dir, publish, temp_beside

    make_private_dir(target.parent)  # whatever the umask
    # A fresh private temporary file (never through a link planted at a guessable name),
    # renamed over the old entry: the desktop never reads half an entry at login.
    with temp_beside(target) as temp:
        with os.fdopen(temp.fd, "w", encoding="utf-8", closefd=False) as handle:
            handle.write(entry_text(command))
        publish(temp, target, replace=True)
    return target


def disable() -> None:
    autostart_file().unlink(missing_ok=True)


def is_enabled() -> bool:
    """Is there an entry, not switched off by a desktop's own settings tool?"""
    try:
        text = autostart_file().read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return False
    lines = {line.strip().lower() for line in text.splitlines()}
    return "hidden=true" not in lines and "x-gnome-autostart-enabled=false" not in lines
