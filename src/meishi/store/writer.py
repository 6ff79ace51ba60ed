"""The plain write connection, no SQLAlchemy, for commands that write a few rows and must
start fast (`add`, a verdict kept by `should-return`): sqlite3 on the SQLite file, psycopg
on a server. Its changes are committed together, or not at all.

It holds meishi's write lock from its first statement, as the ORM's writers do
(BEGIN IMMEDIATE on SQLite, the advisory lock on PostgreSQL), and keeps the search index
current: what other tools changed is folded first, what it changed before it commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path

from meishi.location import Location, in_file
from meishi.store.engine import SCHEMA_REVISION, database_errors, ensure_current, make_current
from meishi.store.index import refresh
from meishi.store.sql import ReadConnection
from meishi.store.sqlite import prepare_connection

__all__ = ["writer"]


@contextmanager
def writer(location: Location | Path, keyring_named: str | None = None) -> Iterator[ReadConnection]:
    """A connection holding the write lock, rows addressable by column name; committed when
    the block ends, rolled back when it raises."""
    if isinstance(location, Path):
        location = in_file(location)
    if location.on_server:
        with database_errors(location), _server_writer(location, keyring_named) as found:
            yield found
        return
    path = location.path or Path()
    ensure_current(path)
    with database_errors(path), closing(sqlite3.connect(path, isolation_level=None)) as plain:
        prepare_connection(plain)
        plain.execute("PRAGMA foreign_keys = ON")
        plain.row_factory = sqlite3.Row
        plain.execute("BEGIN IMMEDIATE")
        try:
            yield _folded_around(plain)
            refresh(plain)
            plain.execute("COMMIT")
        except BaseException:
            plain.execute("ROLLBACK")
            raise


def _folded_around(connection: ReadConnection) -> ReadConnection:
    """The connection, once what other tools changed since meishi last wrote is folded."""
    refresh(connection)
    return connection


@contextmanager
def _server_writer(location: Location, keyring_named: str | None) -> Iterator[ReadConnection]:
    """The server's write connection, its schema made or upgraded first when not current."""
    from meishi.store.postgres import server_writer

    upgrade = partial(make_current, location, keyring_named)
    with server_writer(location, keyring_named, SCHEMA_REVISION, upgrade) as connection:
        yield _folded_around(connection)
        refresh(connection)
