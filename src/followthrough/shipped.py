"""Where the files shipped with the app are (resources/ at the top of the repository).

Installed (a wheel, an editable install) or frozen (the PyInstaller bundle), they are the
package `followthrough.resources`, found through importlib.resources. Run from a checkout
without an install (PYTHONPATH=src, as the tests in a worktree do), no package maps them in,
so they are read from the checkout's own resources/ folder, beside src/: the files of the
tree being run, never those of another install.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parents[1] / "resources" if _HERE.parent.name == "src" else None


def resources_root() -> Path:
    """The folder of the shipped files."""
    if _CHECKOUT is not None and _CHECKOUT.is_dir():
        return _CHECKOUT
    # Imported here: it is not needed on the way to the first window from a checkout.
    from importlib.resources import files

    root = files("followthrough.resources")
    # A package on disk (site-packages, or the bundle's folder) is a plain Path; the app is
    # never run from a zip file, which would need as_file() and a temporary copy.
    if not isinstance(root, Path):
        raise RuntimeError(f"the shipped files are not in a folder: {root}")
    return root


def resource_path(*parts: str) -> Path:
    """The path of a shipped file: `resource_path("icons", "followthrough.svg")`."""
    return resources_root().joinpath(*parts)
