"""The read connection both engines give, and the few SQL words in which they differ.

Read modules (search.py, resolve.py, index.py) write their queries once, with `?`
parameters, and ask `dialect_of(connection)` for the words that differ. On SQLite the
connection is sqlite3's own (the fast path); on PostgreSQL it is `ServerConnection`,
a thin adapter over psycopg's with the same execute/fetch interface and rows addressable
by column name, by position and through `dict(row)`, as sqlite3.Row allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class Rows(Protocol):
    """What executing a query gives: rows to fetch or iterate over."""

    def fetchone(self) -> Any:
        """The next row, or None."""

    def fetchall(self) -> list[Any]:
        """The rows left."""

    def __iter__(self) -> Iterator[Any]:
        """The rows left, one by one."""


class ReadConnection(Protocol):
    """A plain connection: sqlite3's, or ServerConnection on PostgreSQL."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any:
        """Run one statement with `?` parameters."""

    def executemany(self, sql: str, rows: Any, /) -> Any:
        """Run one statement for each row of parameters."""


@dataclass(frozen=True)
class Dialect:
    """The SQL words that differ between the engines."""

    name: str
    joined: str  # {0} values joined by char 31, in order: the emails of a card
    contains: str  # {0} holds {1} (text)
    like: str  # case-insensitive LIKE, as SQLite's is for ASCII
    no_limit: int | None  # LIMIT's value for none


SQLITE = Dialect("sqlite", "group_concat({0}, char(31))", "instr({0}, {1}) > 0", "LIKE", -1)
POSTGRESQL = Dialect(
    "postgresql", "string_agg({0}, chr(31))", "strpos({0}, {1}) > 0", "ILIKE", None
)


def dialect_of(connection: object) -> Dialect:
    """The dialect a plain connection speaks."""
    return POSTGRESQL if isinstance(connection, ServerConnection) else SQLITE


def day(value: Any) -> dt.date:
    """A DATE column's value: PostgreSQL gives a date, SQLite the ISO text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def moment(value: Any) -> dt.datetime:
    """A stamp column's value as an aware UTC datetime: both engines keep UTC without a zone
    (PostgreSQL gives a datetime, SQLite SQLAlchemy's ISO-like text)."""
    found = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return found if found.tzinfo is not None else found.replace(tzinfo=dt.UTC)


def clock(value: Any) -> dt.time:
    """A TIME column's value: PostgreSQL gives a time, SQLite the ISO text."""
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def written(connection: object, value: dt.date | dt.time) -> Any:
    """A date, time or stamp as a parameter, as SQLAlchemy writes it, so that the ORM reads
    it back as its own and comparisons with stored values hold: a stamp in UTC without a
    zone; on SQLite, text in SQLAlchemy's formats (microseconds always written)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if dialect_of(connection).name != "sqlite":
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S.%f")
    return value.isoformat()


class Row(tuple[Any, ...]):
    """A row addressable by position and by column name, and convertible by dict()."""

    names: tuple[str, ...]

    def __new__(cls, names: tuple[str, ...], values: Sequence[Any]) -> Row:
        """A row of these columns holding these values."""
        row = super().__new__(cls, values)
        row.names = names
        return row

    def keys(self) -> list[str]:
        """The column names, as dict() asks for them."""
        return list(self.names)

    def __getitem__(self, key: Any) -> Any:
        """A value by column name or position."""
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)


def row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    """psycopg's row factory making Rows named by the cursor's columns."""
    names = tuple(column.name for column in cursor.description or ())
    return lambda values: Row(names, values)


class ServerConnection:
    """A psycopg connection spoken to like sqlite3's: `?` parameters, Rows."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        """Run one statement; a cursor over its Rows."""
        cursor = self.connection.cursor(row_factory=row_factory)
        if not parameters:
            return cursor.execute(sql)
        return cursor.execute(_placeholders(sql), list(parameters))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> None:
        """Run one statement for each row of parameters."""
        if rows:
            self.connection.cursor().executemany(_placeholders(sql), [list(r) for r in rows])


def _placeholders(sql: str) -> str:
    """SQLite's `?` parameters as psycopg's `%s` (and a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")
