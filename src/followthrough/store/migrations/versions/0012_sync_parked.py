"""Sync keeps deleted rows' last values (issue 18): a lead deleted on one machine and changed
on another that had not heard of it comes back with them, and with its timeline.

`sync_parked` holds those values (a row as an operation carries it), `sync_ids.last_local`
the id a deleted row had (an undo that puts it back gives it its name back); a delete's stamp now
lives with the row's field stamps, as the pseudo-field "~deleted", live or not; the triggers
are made again (store/sync_schema.py: a cascade parks what hangs off a lead, new rows get
names never used before).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from followthrough.domain.syncmerge import DELETED_FIELD
from followthrough.store.sync_schema import drop_triggers, install_triggers

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if "sync_parked" not in set(sa.inspect(bind).get_table_names()):
        op.create_table(
            "sync_parked",
            sa.Column("tbl", sa.String(), nullable=False),
            sa.Column("gid", sa.String(), nullable=False),
            sa.Column("lead", sa.String(), nullable=True),
            sa.Column("row", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("tbl", "gid"),
        )
        op.create_index("ix_sync_parked_lead", "sync_parked", ["lead"])
    if "last_local" not in {c["name"] for c in sa.inspect(bind).get_columns("sync_ids")}:
        op.add_column("sync_ids", sa.Column("last_local", sa.Integer(), nullable=True))
        op.create_index("ix_sync_ids_last_local", "sync_ids", ["tbl", "last_local"])
    op.execute(
        sa.text(
            "INSERT INTO sync_clock (tbl, gid, field, hlc) SELECT tbl, gid, :field, deleted "
            "FROM sync_ids WHERE deleted IS NOT NULL AND tbl NOT IN ('setting', 'mail_seen') "
            "AND true ON CONFLICT (tbl, gid, field) DO UPDATE SET hlc = max(hlc, excluded.hlc)"
        ).bindparams(field=DELETED_FIELD)
    )
    install_triggers(bind.connection.driver_connection)


def downgrade() -> None:
    # 0011's triggers park nothing and cannot be made from this code: recording stops
    # until the app that knows 0012 upgrades again.
    drop_triggers(op.get_bind().connection.driver_connection)
    op.drop_index("ix_sync_ids_last_local", "sync_ids")
    with op.batch_alter_table("sync_ids") as batch:
        batch.drop_column("last_local")
    op.drop_index("ix_sync_parked_lead", "sync_parked")
    op.drop_table("sync_parked")
