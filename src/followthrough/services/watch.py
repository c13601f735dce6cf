"""Noticing writes made by another process (the CLI) to the same database file.

The watch reads SQLite directly, so it lives in the store (store/change_watch.py); the app's
scheduler, which may not import the store, reaches it here.
"""

from __future__ import annotations

from followthrough.store.change_watch import ChangeWatch

__all__ = ["ChangeWatch"]
