"""Files shipped with the app (icons, the sample pipeline), found from source or a bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """The path of a shipped file, whether running from source, a wheel or a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)  # set by a PyInstaller bundle
    base = (
        Path(frozen_root) / "followthrough" / "resources"
        if frozen_root
        else Path(__file__).resolve().parent
    )
    return base.joinpath(*parts)
