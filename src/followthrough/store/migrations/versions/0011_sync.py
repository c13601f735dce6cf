"""Sync between a person's machines (issue 18): this device and its clock, the global ids of
synced rows, the log of this device's changes, the stamp of each synced field, the devices
seen; and the triggers that record changes (store/sync_schema.py), idle until sync is enabled.

No existing table changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from followthrough.store.sync_schema import drop_triggers, install_triggers
from followthrough.store.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _zero() -> sa.TextClause:
    return sa.text("0")


def upgrade() -> None:
    bind = op.get_bind()
    # Idempotent, as 0008 to 0010: a stamp set back may find these there already.
    tables = set(sa.inspect(bind).get_table_names())
    if "sync_state" not in tables:
        op.create_table(
            "sync_state",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("device", sa.String(), nullable=True),
            sa.Column("device_name", sa.String(), nullable=True),
            sa.Column("enabled", sa.Integer(), nullable=False, server_default=_zero()),
            sa.Column("applying", sa.Integer(), nullable=False, server_default=_zero()),
            sa.Column("wall", sa.Integer(), nullable=False, server_default=_zero()),
            sa.Column("counter", sa.Integer(), nullable=False, server_default=_zero()),
            sa.Column("seq", sa.Integer(), nullable=False, server_default=_zero()),
            sa.Column("skew_ms", sa.Integer(), nullable=False, server_default=_zero()),
            sa.PrimaryKeyConstraint("id"),
        )
    if "sync_ids" not in tables:
        op.create_table(
            "sync_ids",
            sa.Column("tbl", sa.String(), nullable=False),
            sa.Column("gid", sa.String(), nullable=False),
            sa.Column("local_id", sa.Integer(), nullable=True),
            sa.Column("deleted", sa.String(), nullable=True),
            sa.PrimaryKeyConstraint("tbl", "gid"),
        )
        op.create_index("ux_sync_ids_local", "sync_ids", ["tbl", "local_id"], unique=True)
    if "sync_op" not in tables:
        op.create_table(
            "sync_op",
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("hlc", sa.String(), nullable=False),
            sa.Column("tbl", sa.String(), nullable=False),
            sa.Column("gid", sa.String(), nullable=False),
            sa.Column("kind", sa.String(), nullable=False),
            sa.Column("row", sa.String(), nullable=False),
            sa.Column("changed", sa.String(), nullable=True),
            sa.PrimaryKeyConstraint("seq"),
        )
    if "sync_clock" not in tables:
        op.create_table(
            "sync_clock",
            sa.Column("tbl", sa.String(), nullable=False),
            sa.Column("gid", sa.String(), nullable=False),
            sa.Column("field", sa.String(), nullable=False),
            sa.Column("hlc", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("tbl", "gid", "field"),
        )
    if "sync_peer" not in tables:
        op.create_table(
            "sync_peer",
            sa.Column("device", sa.String(), nullable=False),
            sa.Column("name", sa.String(), nullable=True),
            sa.Column("applied_seq", sa.Integer(), nullable=False, server_default=_zero()),
            sa.Column("last_seen_at", UTCDateTime(), nullable=True),
            sa.Column("last_wrote_at", UTCDateTime(), nullable=True),
            sa.PrimaryKeyConstraint("device"),
        )
    op.execute("INSERT OR IGNORE INTO sync_state (id) VALUES (1)")
    # On SQLite's own connection, in the migration's transaction.
    install_triggers(bind.connection.driver_connection)


def downgrade() -> None:
    drop_triggers(op.get_bind().connection.driver_connection)
    for table in ("sync_peer", "sync_clock", "sync_op", "sync_ids", "sync_state"):
        op.drop_table(table)
