"""The database handle as the interface holds it: opened by the session, passed to services.

The UI never imports the store (an import-linter contract in pyproject.toml says so): what it
needs of it, the handle's type and the way to open one, comes from here.
"""

from __future__ import annotations

from followthrough.errors import DatabaseBusy
from followthrough.store.db import Database

__all__ = ["Database", "DatabaseBusy"]
