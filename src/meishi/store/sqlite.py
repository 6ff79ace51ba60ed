"""The SQLite engine: the database file's engine (pragmas, BEGIN IMMEDIATE for writers),
the plain connections on the file, its schema revision, and what SQLite's errors mean.

The generic store (engine.py) calls in here when the location is a file, as it calls
postgres.py for a server database.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi.errors import DatabaseBusy, DatabaseDamaged, MeishiError, Unavailable

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

BUSY_TIMEOUT_MS = 30_000

# What to do when SQLite cannot use the database file, by SQLite's primary result code.
_FILE_ADVICE = {
    sqlite3.SQLITE_READONLY: "it or its folder is read-only; make both writable (chmod u+w)",
    sqlite3.SQLITE_CANTOPEN: "check that it and its folder exist and that you may write them",
    sqlite3.SQLITE_PERM: "permission denied; check who owns it and its permissions",
    sqlite3.SQLITE_FULL: "the disk is full; free some space and try again",
    sqlite3.SQLITE_IOERR: "the disk failed to read or write it; check the disk",
}


def file_engine(path: Path) -> Engine:
    """An engine on the database file at `path` (made owner-only), refusing another
    program's file; SQLite's errors in doing so are the caller's to name."""
    from meishi.files import private_file  # not at module level: `meishi search` skips it

    private_file(path)  # SQLite gives its -wal and -shm files the main file's permissions
    _refuse_foreign(path)
    return _sqlite_engine(path)


def problem(path: Path | str, error: Exception) -> MeishiError | None:
    """What SQLite's error means for the database file, or None when it is not the file's."""
    if not isinstance(error, sqlite3.Error):
        return None
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # the primary result code
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return damaged(Path(path), str(error))
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseBusy(f"another meishi is writing to {path}; try again when it is done")
    if code in _FILE_ADVICE:
        return Unavailable(f"cannot use {path}: {_FILE_ADVICE[code]}")
    return None


def damaged(path: Path, detail: str) -> DatabaseDamaged:
    """The database file is damaged: say so, and how to get going again."""
    return DatabaseDamaged(
        f"{path} is damaged or not a meishi database ({detail}); move it aside, then copy "
        "a backup (meishi backup makes them) in its place, or let meishi start a new one"
    )


def _refuse_foreign(path: Path) -> None:
    """Refuse a file that is not a meishi database, reading it only (SQLite would convert it)."""
    with closing(read_only(path)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if tables and "alembic_version" not in tables:
        raise DatabaseDamaged(
            f"{path} is not a meishi database: it holds another program's tables; "
            "move it aside, or point MEISHI_HOME at another folder"
        )


def read_only(path: Path) -> sqlite3.Connection:
    """A plain connection that cannot write to the database."""
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def is_current(path: Path, revision: str) -> bool:
    """True when the database file exists at schema `revision`."""
    if not path.exists():
        return False
    try:
        with closing(read_only(path)) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:  # open_store() says what is wrong with it
        return False
    return bool(row == (revision,))


def revision_on(connection: Connection) -> str | None:
    """The schema revision in the database file on this connection, or None for a new one."""
    exists = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if exists is None:
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _sqlite_engine(path: Path) -> Engine:
    """An engine with WAL, foreign keys, a busy timeout and explicit BEGINs."""
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}", connect_args={"isolation_level": None})
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin)
    return engine


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    """Set the pragmas every connection needs."""
    prepare_connection(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def prepare_connection(connection: sqlite3.Connection) -> None:
    """What every connection needs, reader or writer: the busy timeout and meishi_fold()."""
    from meishi.text import fold

    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # meishi's queries fold text with it (the index's triggers need no function: 0010).
    connection.create_function("meishi_fold", -1, fold, deterministic=True)


def _begin(connection: Connection) -> None:
    """Start a transaction; writers take the write lock up front.

    The sqlite3 module is left in autocommit mode and meishi issues BEGIN
    itself, because a deferred transaction that later tries to write fails at
    once with "database is locked" instead of waiting for the busy timeout.
    """
    writing = connection.get_execution_options().get("meishi_write")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN DEFERRED")
