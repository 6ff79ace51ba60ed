"""The fast read path's connection to a server: libpq itself, called through ctypes.

Importing psycopg takes ~100 ms (asyncio, logging, its type machinery, package metadata),
more than all the rest of `meishi search`; loading libpq takes ~7 ms. A read needs little of
psycopg: connect, run a statement with parameters, read the rows as text. So this module
does that, speaks to its caller as sqlite3's connection does (`?` parameters, rows by name
and position) and gives each value the Python type psycopg gives it, for every type
meishi's tables hold. Writes (SQLAlchemy) still use psycopg. Without a libpq to load (one
on the system, or the one psycopg's binary package carries) the reader uses psycopg.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from meishi.store.sql import OnServer, Row, rows_named

# libpq's names on each system: the versioned one first, as a program linked to it loads it.
SYSTEM_NAMES = {
    "linux": ("libpq.so.5", "libpq.so"),
    "darwin": ("libpq.5.dylib", "libpq.dylib"),
    "win32": ("libpq.dll",),
}
# Where psycopg's binary package keeps the libpq it carries, beside or inside the package.
BUNDLED = ("../psycopg_binary.libs/libpq*", ".dylibs/libpq*", "libpq*.dll")

CONNECTION_OK = 0
COMMAND_OK, TUPLES_OK = 1, 2
SQLSTATE_FIELD = ord("C")
CONNECTION_LOST = "08"  # SQLSTATE class: connection exceptions


class Error(Exception):
    """The server refused a statement; `sqlstate` says why, as psycopg's errors do."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class OperationalError(Error):
    """The server could not be reached, refused the login, or the connection was lost."""


@cache
def library() -> ctypes.CDLL | None:
    """libpq, loaded once with the signatures used here; None when there is none to load."""
    for name in SYSTEM_NAMES.get(sys.platform, SYSTEM_NAMES["linux"]) + _bundled():
        try:
            return _declared(ctypes.CDLL(name))
        except OSError:
            continue
    return None


def _bundled() -> tuple[str, ...]:
    """The libpq files psycopg's binary package carries, if it is installed."""
    from importlib.util import find_spec

    spec = find_spec("psycopg_binary")  # finds the package without importing it
    if spec is None or spec.origin is None:
        return ()
    package = Path(spec.origin).parent
    return tuple(str(found) for pattern in BUNDLED for found in sorted(package.glob(pattern)))


def _declared(lib: ctypes.CDLL) -> ctypes.CDLL:
    """The library with the argument and result types of the functions called."""
    p, text, number = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    texts = ctypes.POINTER(ctypes.c_char_p)
    signatures: dict[str, tuple[Any, list[Any] | None]] = {
        "PQconnectdbParams": (p, [texts, texts, number]),
        "PQstatus": (number, [p]),
        "PQerrorMessage": (text, [p]),
        "PQfinish": (None, [p]),
        "PQexecParams": (p, [p, text, number, p, texts, p, p, number]),
        "PQresultStatus": (number, [p]),
        "PQresultErrorMessage": (text, [p]),
        "PQresultErrorField": (text, [p, number]),
        "PQntuples": (number, [p]),
        "PQnfields": (number, [p]),
        "PQfname": (text, [p, number]),
        "PQftype": (ctypes.c_uint, [p, number]),
        # Called for each value: no argument types, which halves the cost of a call (the
        # result is given as a c_void_p, the row and column as ints).
        "PQgetvalue": (text, None),
        "PQgetisnull": (number, None),
        "PQclear": (None, [p]),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = result, arguments
    return lib


def connect(lib: ctypes.CDLL, settings: dict[str, str]) -> Connection:
    """A connection made with libpq's keywords (`dbname` may be a whole URL)."""
    keys = [key.encode() for key in settings] + [None]
    values = [value.encode() for value in settings.values()] + [None]
    handle = lib.PQconnectdbParams(
        (ctypes.c_char_p * len(keys))(*keys), (ctypes.c_char_p * len(values))(*values), 1
    )
    if lib.PQstatus(handle) != CONNECTION_OK:
        message = _text(lib.PQerrorMessage(handle))
        lib.PQfinish(handle)
        raise OperationalError(message)
    return Connection(lib, handle)


class Connection(OnServer):
    """A libpq connection spoken to like sqlite3's: `?` parameters, Rows; autocommit."""

    def __init__(self, lib: ctypes.CDLL, handle: int) -> None:
        self.lib = lib
        self.handle: int | None = handle

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Result:
        """Run one statement; its rows, each value typed as psycopg types it."""
        types, values = zip(*map(_dumped, parameters), strict=True) if parameters else ((), ())
        count = len(values)
        result = self.lib.PQexecParams(
            self.handle,
            _numbered(sql).encode(),
            count,
            (ctypes.c_uint * count)(*types),
            (ctypes.c_char_p * count)(*values),
            None,
            None,
            0,  # every value as text
        )
        return Result(self, result)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> None:
        """Run one statement for each row of parameters."""
        for row in rows:
            self.execute(sql, row)

    def close(self) -> None:
        """End the connection."""
        if self.handle is not None:
            self.lib.PQfinish(self.handle)
            self.handle = None

    def failure(self, result: int) -> Error:
        """The error a failed statement's result holds."""
        message = _text(
            self.lib.PQresultErrorMessage(result) or self.lib.PQerrorMessage(self.handle)
        )
        sqlstate = self.lib.PQresultErrorField(result, SQLSTATE_FIELD)
        state = sqlstate.decode() if sqlstate else None
        lost = state is None or state.startswith(CONNECTION_LOST)
        return (OperationalError if lost else Error)(message, state)


class Result:
    """A statement's rows, read one by one from libpq's copy, and freed when done."""

    def __init__(self, connection: Connection, result: int) -> None:
        lib = self.lib = connection.lib
        self.result: ctypes.c_void_p | None = None
        if lib.PQresultStatus(result) not in (COMMAND_OK, TUPLES_OK):
            error = connection.failure(result)
            lib.PQclear(result)
            raise error
        self.result = ctypes.c_void_p(result)
        fields = range(lib.PQnfields(result))
        self.row = rows_named(tuple(_text(lib.PQfname(result, n)) for n in fields))
        self.loaders = [(n, LOADERS.get(lib.PQftype(result, n))) for n in fields]
        self.count = lib.PQntuples(result)
        self.next = 0
        if not self.count:
            self._free()

    def __iter__(self) -> Iterator[Row]:
        """The rows left, one by one."""
        return self

    def __next__(self) -> Row:
        """The next row."""
        if self.result is None or self.next >= self.count:
            self._free()
            raise StopIteration
        number, self.next = self.next, self.next + 1
        return self.row(self._values(self.result, number))

    def _values(self, result: ctypes.c_void_p, number: int) -> list[Any]:
        """One row's values, loaded (text as it is)."""
        value, is_null = self.lib.PQgetvalue, self.lib.PQgetisnull
        values: list[Any] = []
        for column, load in self.loaders:
            raw = value(result, number, column)
            if not raw and is_null(result, number, column):  # NULL reads as "" too
                values.append(None)
            elif load is None:
                values.append(raw.decode())
            else:
                values.append(load(raw.decode()))
        return values

    def fetchone(self) -> Row | None:
        """The next row, or None."""
        return next(self, None)

    def fetchmany(self, size: int = 1) -> list[Row]:
        """The next rows, at most `size` of them."""
        return list(islice(self, size))

    def fetchall(self) -> list[Row]:
        """The rows left."""
        return list(self)

    @property
    def description(self) -> tuple[tuple[str, None, None, None, None, None, None], ...]:
        """The columns, named as sqlite3's cursors name them (the rest unknown, as there)."""
        return tuple((name, None, None, None, None, None, None) for name in self.row.names)

    def _free(self) -> None:
        """Free libpq's copy of the rows."""
        if self.result is not None:
            self.lib.PQclear(self.result)
            self.result = None

    def __del__(self) -> None:
        self._free()


def _numbered(sql: str) -> str:
    """SQLite's `?` parameters as PostgreSQL's `$1`, `$2`..."""
    parts = sql.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))


def _text(raw: bytes | None) -> str:
    """A message or name from libpq, as text."""
    return (raw or b"").decode(errors="replace").strip()


# Type OIDs, as pg_type numbers them.
BOOL, BYTEA, INT8, INT2, INT4, TEXT, OID, JSON = 16, 17, 20, 21, 23, 25, 26, 114
FLOAT4, FLOAT8, DATE, TIME, TIMESTAMP, TIMESTAMPTZ = 700, 701, 1082, 1083, 1114, 1184
TIMETZ, NUMERIC, JSONB, UNKNOWN = 1266, 1700, 3802, 0


def _as_decimal(text: str) -> Any:
    """A numeric value as a Decimal (decimal imported only then: it takes milliseconds)."""
    from decimal import Decimal

    return Decimal(text)


def _as_json(text: str) -> Any:
    """A json or jsonb value as Python's."""
    import json

    return json.loads(text)


# How each type's text becomes the Python value psycopg makes of it (DateStyle ISO); text,
# varchar and any other type stay text, as psycopg leaves them.
LOADERS: dict[int, Callable[[str], Any]] = {
    BOOL: lambda text: text == "t",
    BYTEA: lambda text: bytes.fromhex(text[2:]),  # bytea_output hex: \x0a1b...
    **dict.fromkeys((INT2, INT4, INT8, OID), int),
    **dict.fromkeys((FLOAT4, FLOAT8), float),
    NUMERIC: _as_decimal,
    DATE: dt.date.fromisoformat,
    TIME: dt.time.fromisoformat,
    TIMETZ: dt.time.fromisoformat,
    TIMESTAMP: dt.datetime.fromisoformat,
    TIMESTAMPTZ: dt.datetime.fromisoformat,
    JSON: _as_json,
    JSONB: _as_json,
}


def _dumped(value: Any) -> tuple[int, bytes | None]:
    """A parameter as (its type, its text), typed as psycopg types it (text: unknown)."""
    if value is None:
        return UNKNOWN, None
    if isinstance(value, bool):
        return BOOL, b"t" if value else b"f"
    if isinstance(value, int):
        return _int_type(value), str(value).encode()
    if isinstance(value, bytes):
        return BYTEA, b"\\x" + value.hex().encode()
    if isinstance(value, dt.datetime):
        return (TIMESTAMP if value.tzinfo is None else TIMESTAMPTZ), value.isoformat().encode()
    if isinstance(value, dt.date):
        return DATE, value.isoformat().encode()
    if isinstance(value, dt.time):
        return (TIME if value.tzinfo is None else TIMETZ), value.isoformat().encode()
    if isinstance(value, float):
        return FLOAT8, repr(value).encode()
    decimal = sys.modules.get("decimal")  # no Decimal exists unless decimal was imported
    if decimal is not None and isinstance(value, decimal.Decimal):
        return NUMERIC, str(value).encode()
    return UNKNOWN, str(value).encode()


def _int_type(value: int) -> int:
    """The smallest integer type holding value, as psycopg picks it."""
    for oid, bits in ((INT2, 15), (INT4, 31), (INT8, 63)):
        if -(2**bits) <= value < 2**bits:
            return oid
    return NUMERIC
