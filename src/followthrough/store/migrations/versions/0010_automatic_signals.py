"""Automatic signals the person can take back: what must not match a lead again, and leads
that opt out of automatic matching; and the meetings found in the person's calendar.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from followthrough.store.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    # Idempotent, as 0008 and 0009: a stamp set back may find these there already.
    if "auto_signals" not in {c["name"] for c in inspector.get_columns("lead")}:
        # A plain ADD COLUMN: no table rebuild, so no cascade can touch the children.
        op.add_column(
            "lead",
            sa.Column("auto_signals", sa.Boolean(), nullable=False, server_default=sa.text("1")),
        )
    if "match_skip" not in inspector.get_table_names():
        op.create_table(
            "match_skip",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("match", sa.String(), nullable=False),
            sa.Column("lead_id", sa.Integer(), nullable=False),
            sa.Column("created_at", UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ux_match_skip", "match_skip", ["match", "lead_id"], unique=True)
        op.create_index("ix_match_skip_lead_id", "match_skip", ["lead_id"])
    if "meeting" not in inspector.get_table_names():
        op.create_table(
            "meeting",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key", sa.String(), nullable=False),
            sa.Column("lead_id", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(), nullable=False),
            sa.Column("start", UTCDateTime(), nullable=False),
            sa.Column("end", UTCDateTime(), nullable=False),
            sa.Column("cancelled", sa.Boolean(), nullable=False),
            sa.Column("sets_next_step", sa.Boolean(), nullable=False),
            sa.Column("asked_at", UTCDateTime(), nullable=True),
            sa.Column("answer", sa.String(), nullable=True),
            sa.Column("answered_at", UTCDateTime(), nullable=True),
            sa.Column("created_at", UTCDateTime(), nullable=False),
            sa.Column("updated_at", UTCDateTime(), nullable=False),
            sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ux_meeting_key_lead", "meeting", ["key", "lead_id"], unique=True)
        op.create_index("ix_meeting_lead_id", "meeting", ["lead_id"])


def downgrade() -> None:
    op.drop_table("meeting")
    op.drop_table("match_skip")
    with op.batch_alter_table("lead") as batch:
        batch.drop_column("auto_signals")
