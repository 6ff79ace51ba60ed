"""The read connection both engines give, and the few SQL words in which they differ.

Read modules (search.py, resolve.py, index.py) write their queries once, with `?`
parameters, and ask `dialect_of(connection)` for the words that differ. On SQLite the
connection is sqlite3's own (the fast path); on PostgreSQL it is one `OnServer`: the
reader's libpq connection (libpq.py), or `ServerConnection`, a thin adapter over psycopg's
(the writers', and the reader's without a libpq to load). Both have sqlite3's
execute/fetch interface and rows addressable by column name, by position and through
`dict(row)`, as sqlite3.Row allows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from typing import Any, ClassVar, NamedTuple, Protocol

# What a reader looks at first, in one statement: whether the schema is this meishi's, and
# whether other tools left contacts to fold into the search index (a new database, or an
# old file, lacks either table).
STATE = "SELECT version_num, EXISTS (SELECT 1 FROM search_stale) FROM alembic_version"


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


class Dialect(NamedTuple):
    """The SQL words that differ between the engines."""

    name: str
    joined: str  # {0} values joined by char 31, in order: the emails of a card
    contains: str  # {0} holds {1} (text)
    like: str  # case-insensitive LIKE, as SQLite's is for ASCII
    no_limit: int | None  # LIMIT's value for none
    # What keeps a subquery apart, computed before the query around it: SQLite never merges
    # one into a query with a window function; PostgreSQL keeps one with an OFFSET apart.
    apart: str
    # Before a column: no index is used for its test. SQLite takes any index a test can use,
    # even for a test nearly every row passes (or a long IN list), where reading the rows in
    # another order is faster; PostgreSQL's planner weighs it, and has no + for timestamps.
    unindexed: str


SQLITE = Dialect(
    "sqlite", "group_concat({0}, char(31))", "instr({0}, {1}) > 0", "LIKE", -1, "", "+"
)
POSTGRESQL = Dialect(
    "postgresql", "string_agg({0}, chr(31))", "strpos({0}, {1}) > 0", "ILIKE", None, " OFFSET 0", ""
)


def dialect_of(connection: object) -> Dialect:
    """The dialect a plain connection speaks."""
    return POSTGRESQL if isinstance(connection, OnServer) else SQLITE


class OnServer(ABC):
    """A plain connection to a PostgreSQL server (psycopg's or libpq's)."""

    @abstractmethod
    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        """Run one statement with `?` parameters; its rows."""

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> None:
        """Run one statement for each row of parameters."""

    @abstractmethod
    def close(self) -> None:
        """End the connection."""


def batches(keys: Iterable[int], size: int = 500) -> Iterator[tuple[int, ...]]:
    """Keys a few hundred at a time, for `IN (?, ...)` lists the engines accept."""
    found = iter(keys)
    while batch := tuple(itertools.islice(found, size)):
        yield batch


def marks(keys: Sized) -> str:
    """The `?, ?, ...` of an IN list for these keys."""
    return ", ".join("?" * len(keys))


def day(value: Any) -> dt.date:
    """A DATE column's value: PostgreSQL gives a date, SQLite the ISO text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def days_of(connection: object) -> Callable[[Any], dt.date]:
    """What reads a DATE column's values on this connection, for thousands of rows: day(),
    without asking each value its type."""
    return day if isinstance(connection, OnServer) else dt.date.fromisoformat


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
    """A row addressable by position and by column name, and convertible by dict(); the
    rows of one query are of a class of their own, which knows their columns (rows_named)."""

    __slots__ = ()
    names: ClassVar[tuple[str, ...]] = ()
    positions: ClassVar[dict[str, int]] = {}

    def keys(self) -> list[str]:
        """The column names, as dict() asks for them."""
        return list(self.names)

    def __getitem__(self, key: Any) -> Any:
        """A value by column name or position."""
        if isinstance(key, str):
            return tuple.__getitem__(self, self.positions[key])
        return tuple.__getitem__(self, key)


def rows_named(names: tuple[str, ...]) -> type[Row]:
    """The class of the rows of these columns (a name given twice: its first column, as
    sqlite3.Row has it)."""
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        positions.setdefault(name, position)
    return type("Row", (Row,), {"__slots__": (), "names": names, "positions": positions})


def row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    """psycopg's row factory making Rows named by the cursor's columns."""
    return rows_named(tuple(column.name for column in cursor.description or ()))


class ServerConnection(OnServer):
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

    def close(self) -> None:
        """End the connection."""
        self.connection.close()


def _placeholders(sql: str) -> str:
    """SQLite's `?` parameters as psycopg's `%s` (and a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")
