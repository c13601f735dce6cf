"""Archive index: won and lost leads, newest first, a page at a time, filtered or not.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here on purpose: a migration must not change when the model's constant does.
ARCHIVE_SQL = "state IN ('won', 'lost')"


def upgrade() -> None:
    op.create_index(
        "ix_lead_archive",
        "lead",
        ["state_since", "id", "search_key"],
        sqlite_where=sa.text(ARCHIVE_SQL),
    )


def downgrade() -> None:
    op.drop_index("ix_lead_archive", "lead")
