"""Board indexes: one column of the board, a page at a time, filtered or not, from an index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here on purpose: a migration must not change when the model's constant does.
BOARD_DATE_SQL = "CASE WHEN state = 'recycle' THEN recycle_until ELSE next_step_due END"


def upgrade() -> None:
    op.create_index(
        "ix_lead_board",
        "lead",
        [
            "state",
            sa.text(f"({BOARD_DATE_SQL}) IS NULL"),
            sa.text(BOARD_DATE_SQL),
            "name",
            "id",
            "search_key",
        ],
    )
    op.create_index("ix_lead_state_search", "lead", ["state", "search_key"])


def downgrade() -> None:
    op.drop_index("ix_lead_state_search", "lead")
    op.drop_index("ix_lead_board", "lead")
