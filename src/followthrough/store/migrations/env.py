"""Alembic environment: always online, on the connection the app hands over."""

from alembic import context
from sqlmodel import SQLModel

from followthrough.store import models  # noqa: F401  (registers the tables)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Followthrough runs its migrations itself; pass a connection")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite can only change most things by rebuilding the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
