"""Feedback facts: how often an alert was snoozed, and events read by kind over a period.

The reports (services/insights/) read events of a few kinds over a span of days — moves,
messages sent, replies — so an index on (kind, at) lets them skip the rest of a large
timeline, and alerts by when they were raised. The other facts (a move's reason category,
what a sent message asked for) ride in the event's JSON payload and need no column.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Idempotent: a database whose version stamp was set back (a restore tool, a test of
    # an older stamp) may already have the column and the indexes.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("alert")}
    if "snoozes" not in columns:
        # A plain ADD COLUMN: no table rebuild, so no cascade can touch the children.
        op.add_column(
            "alert",
            sa.Column("snoozes", sa.Integer(), nullable=False, server_default=sa.text("0")),
        )
    op.create_index("ix_event_kind_at", "event", ["kind", "at"], if_not_exists=True)
    op.create_index("ix_alert_raised", "alert", ["raised_at"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_alert_raised", "alert")
    op.drop_index("ix_event_kind_at", "event")
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("snoozes")
