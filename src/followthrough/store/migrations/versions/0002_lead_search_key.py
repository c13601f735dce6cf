"""Lead search across scripts, and a counter that is never NULL.

`search_key` holds name, company, e-mail and tags case-folded in Python, because SQLite's
LIKE only folds ASCII. `unanswered` becomes NOT NULL DEFAULT 0, which SQLite can only do
by rebuilding `lead`: the reason migrations run with foreign keys off (see store/migrate.py).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _search_key(name: str, company: str | None, email: str | None, tags_json: str | None) -> str:
    # Frozen copy of the rule at the time of this migration; the app's own may evolve.
    tags = json.loads(tags_json) if tags_json else []
    return "\n".join(part.casefold() for part in [name, company or "", email or "", *tags])


def upgrade() -> None:
    op.execute("UPDATE lead SET unanswered = 0 WHERE unanswered IS NULL")
    with op.batch_alter_table("lead", recreate="always") as batch:
        batch.add_column(
            sa.Column("search_key", sa.String(), server_default=sa.text("''"), nullable=False)
        )
        batch.alter_column(
            "unanswered",
            existing_type=sa.Integer(),
            nullable=False,
            server_default=sa.text("0"),
        )

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name, company, email, tags FROM lead")).fetchall()
    if rows:
        bind.execute(
            sa.text("UPDATE lead SET search_key = :key WHERE id = :id"),
            [{"id": r.id, "key": _search_key(r.name, r.company, r.email, r.tags)} for r in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("lead", recreate="always") as batch:
        batch.drop_column("search_key")
        batch.alter_column("unanswered", existing_type=sa.Integer(), nullable=True)
