"""The fast read connection: plain sqlite3, no SQLAlchemy, no Alembic, for commands typed
many times a day (search, lists, exports)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from meishi.store.engine import database_errors, ensure_current, prepare_connection, read_only
from meishi.store.index import STALE, refresh

# The read connection's type, as modules outside store/ name it.
ReadConnection = sqlite3.Connection


@contextmanager
def reader(path: Path) -> Iterator[ReadConnection]:
    """A read-only connection to the database at `path`, rows as sqlite3.Row.

    When the database is new or older than this meishi, it is created or upgraded first
    through open_store(); contacts another tool changed are folded into the index first.
    """
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
