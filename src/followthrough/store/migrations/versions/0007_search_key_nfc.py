"""Search keys in one Unicode form: a decomposed "é" finds a composed one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Search keys were case-folded only; from now on they are also NFC-composed (and so is what a
person searches for). Keys stored before are brought to the same form here, in Python,
since SQLite has no Unicode normalisation.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, search_key FROM lead")).fetchall()
    changed = [
        {"id": lead_id, "key": composed}
        for lead_id, key in rows
        if (composed := unicodedata.normalize("NFC", key or "")) != (key or "")
    ]
    if changed:
        conn.execute(sa.text("UPDATE lead SET search_key = :key WHERE id = :id"), changed)


def downgrade() -> None:
    pass  # composed keys are still valid keys for the older code
