"""The fast read connection, no SQLAlchemy, no Alembic, for commands typed many times a day
(search, lists, exports): plain sqlite3 on the SQLite file, psycopg on a server."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from meishi.location import Location, in_file
from meishi.store.engine import database_errors, ensure_current, open_store
from meishi.store.index import STALE, refresh
from meishi.store.sql import ReadConnection
from meishi.store.sqlite import prepare_connection, read_only

__all__ = ["ReadConnection", "reader"]


@contextmanager
def reader(location: Location | Path, keyring_named: str | None = None) -> Iterator[ReadConnection]:
    """A read-only connection to the database at `location`, rows addressable by column name.

    When the database is new or older than this meishi, it is created or upgraded first
    through open_store(); contacts another tool changed are folded into the index first.
    """
    if isinstance(location, Path):
        location = in_file(location)
    if location.on_server:
        with database_errors(location), _server_reader(location, keyring_named) as found:
            yield found
        return
    path = location.path or Path()
    ensure_current(path)
    with database_errors(path):
        connection = read_only(path)
        try:
            prepare_connection(connection)
            catch_up(connection, path)
            connection.row_factory = sqlite3.Row
            yield connection
        finally:
            connection.close()


@contextmanager
def _server_reader(location: Location, keyring_named: str | None) -> Iterator[ReadConnection]:
    """The server's read connection, its schema made or upgraded first when not current."""
    from meishi.store.engine import SCHEMA_REVISION
    from meishi.store.postgres import server_reader

    def upgrade() -> None:
        """Make or upgrade the server database's schema."""
        open_store(location, keyring_named).close()

    with server_reader(location, keyring_named, SCHEMA_REVISION, upgrade) as connection:
        yield connection


def catch_up(reading: sqlite3.Connection, path: Path) -> None:
    """Fold the contacts other tools changed into the index, before a read-only connection
    searches it."""
    if reading.execute(f"{STALE} LIMIT 1").fetchone() is None:
        return  # as always, unless another tool wrote: one look at an empty table
    try:
        # No waiting for the write lock: a meishi holding it folds them itself when it starts.
        with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as writing:
            writing.execute("BEGIN IMMEDIATE")
            refresh(writing)
            writing.execute("COMMIT")
    except sqlite3.Error:  # busy, or a read-only file: the index as it is beats failing
        return
