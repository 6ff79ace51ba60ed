"""The fast read connection, no SQLAlchemy, no Alembic, for commands typed many times a day
(search, lists, exports): plain sqlite3 on the SQLite file, libpq on a server (libpq.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path

from meishi.location import Location, in_file
from meishi.store.engine import SCHEMA_REVISION, database_errors, make_current
from meishi.store.index import refresh
from meishi.store.sql import STATE, ReadConnection
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
    with database_errors(path):
        connection = _current(path)
        try:
            prepare_connection(connection)
            connection.row_factory = sqlite3.Row
            yield connection
        finally:
            connection.close()


def _current(path: Path) -> sqlite3.Connection:
    """A read-only connection to the file at this meishi's schema (made or upgraded first
    when it is not), the contacts other tools changed folded into the index."""
    connection = _at_schema(path)
    if connection is None:
        make_current(path)  # made or upgraded, the index caught up; or why it cannot be
        connection = read_only(path)
    return connection


def _at_schema(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the file when it is at this meishi's schema, else None."""
    if not path.is_file():
        return None
    connection = read_only(path)
    try:
        revision, stale = connection.execute(STATE).fetchone() or (None, 0)
    except sqlite3.Error:  # not a database, or no such table (new, or older than search_stale)
        revision, stale = None, 0
    if revision != SCHEMA_REVISION:
        connection.close()
        return None
    if stale:
        catch_up(path)
    return connection


@contextmanager
def _server_reader(location: Location, keyring_named: str | None) -> Iterator[ReadConnection]:
    """The server's read connection, its schema made or upgraded first when not current."""
    from meishi.store.postgres import server_reader

    upgrade = partial(make_current, location, keyring_named)
    with server_reader(location, keyring_named, SCHEMA_REVISION, upgrade) as connection:
        yield connection


def catch_up(path: Path) -> None:
    """Fold the contacts other tools changed into the index, before a read-only connection
    searches it."""
    try:
        # No waiting for the write lock: a meishi holding it folds them itself when it starts.
        with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as writing:
            writing.execute("BEGIN IMMEDIATE")
            refresh(writing)
            writing.execute("COMMIT")
    except sqlite3.Error:  # busy, or a read-only file: the index as it is beats failing
        return
