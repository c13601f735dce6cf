"""Alert episodes: an alert is raised once per occurrence of its condition.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from followthrough.store.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(
            sa.Column("episode", sa.String(), server_default=sa.text("''"), nullable=False)
        )
        batch.add_column(sa.Column("due_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("outcome_at", UTCDateTime(), nullable=True))
    # Alerts from before episodes existed each get their own, so none collide.
    op.execute("UPDATE alert SET episode = 'legacy-' || id, due_at = raised_at")
    op.create_index("ux_alert_episode", "alert", ["lead_id", "rule", "episode"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_alert_episode", table_name="alert")
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("outcome_at")
        batch.drop_column("due_at")
        batch.drop_column("episode")
