"""The fast read connection: plain sqlite3, no SQLAlchemy, no Alembic, for commands typed
many times a day (search, lists, exports)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from meishi.store.engine import database_errors, ensure_current, prepare_connection, read_only


@contextmanager
def reader(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the database at `path`, rows as sqlite3.Row.

    When the database is new or older than this meishi, it is created or upgraded first
    through open_store().
    """
    ensure_current(path)
    with database_errors(path):
        connection = read_only(path)
        try:
            prepare_connection(connection)
            connection.row_factory = sqlite3.Row
            yield connection
        finally:
            connection.close()
