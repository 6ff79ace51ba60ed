"""What `meishi db status` tells: the engine, where the store is (never a password), its
schema version, how much it holds and, when cheap to know, its size on disk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from meishi.store.copy import counts_of, meishi_tables

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from meishi.store.engine import Store

# What the status counts: the words shown, and the table of each.
COUNTED = {
    "contacts": "contact",
    "events": "event",
    "encounters": "encounter",
    "drafts": "draft",
    "outbox": "outbox",
    "card images": "cardimage",
}


@dataclass(frozen=True)
class Status:
    """The store's engine, location, schema version, counts and size in bytes (if known)."""

    engine: str  # "sqlite" or "postgresql"
    location: str
    schema: str | None
    counts: dict[str, int]
    size: int | None

    def as_json(self) -> dict[str, object]:
        """The status as `db status --json` prints it."""
        return {
            "engine": self.engine,
            "location": self.location,
            "schema": self.schema,
            "counts": {name.replace(" ", "_"): n for name, n in self.counts.items()},
            "size_bytes": self.size,
        }


def status(store: Store) -> Status:
    """The store's status, read in one transaction."""
    from meishi.store.engine import database_errors

    wanted = [table for table in meishi_tables() if table.name in COUNTED.values()]
    with database_errors(store.where), store.engine.connect() as connection:
        counts = counts_of(connection, wanted)
        schema = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        size = _size(connection, store)
    return Status(
        engine=connection.dialect.name,
        location=store.where,
        schema=schema,
        counts={name: counts[table] for name, table in COUNTED.items()},
        size=size,
    )


def _size(connection: Connection, store: Store) -> int | None:
    """The database's size in bytes: the server's figure, or the file with its WAL."""
    if connection.dialect.name == "postgresql":
        found = connection.exec_driver_sql("SELECT pg_database_size(current_database())")
        return int(found.scalar_one())
    wal = store.path.with_name(store.path.name + "-wal")
    return store.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
