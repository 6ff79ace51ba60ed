"""Alembic environment: runs on the connection the store hands over."""

from alembic import context
from sqlmodel import SQLModel

import meishi.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from meishi.migrations import is_modelled
from meishi.store.sqlite import prepare_connection

connection = context.config.attributes["connection"]
# Old search index triggers (before 0010) call meishi_fold(), whoever opened the connection.
if connection.dialect.name == "sqlite":
    prepare_connection(connection.connection.driver_connection)
# Batch mode lets later migrations alter SQLite tables by copy-and-move.
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    include_name=is_modelled,
)
with context.begin_transaction():
    context.run_migrations()
