"""The store: owns the engine, sessions, transactions and schema migrations.

Everything else reaches the database through `open_store()`, given its location by
the run (run.py); nothing else creates an engine. The fast read connection is in
reader.py, backups in backup.py. SQLite is the embedded default; a PostgreSQL server's
database (postgres.py holds what is its own) is the other engine, both reached through
SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseTooNew,
    MeishiError,
    Unavailable,
)
from meishi.location import Location, in_file
from meishi.store.index import driver_of, keep_current, refresh

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

# The newest schema revision this meishi knows; a test keeps it equal to the
# head of migrations/versions so opening an up-to-date database skips Alembic.
SCHEMA_REVISION = "0017"
BUSY_TIMEOUT_MS = 30_000


class Store:
    """A database opened at the current schema, handing out sessions."""

    def __init__(self, engine: Engine, location: Location) -> None:
        self.engine = engine
        self.location = location
        self.path = location.path or Path()  # the SQLite file, for what only a file has
        self.where = where(location)  # how messages name it

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        from sqlmodel import Session

        with database_errors(self.where), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose changes are committed together, or not at all."""
        from sqlmodel import Session

        immediate = self.engine.execution_options(meishi_write=True)
        with (
            database_errors(self.where),
            Session(immediate, expire_on_commit=False) as session,
            session.begin(),
        ):
            keep_current(session)
            yield session

    @contextmanager
    def rehearsal(self) -> Iterator[Session]:
        """A session for writing whose changes are always rolled back: a dry run."""
        from sqlmodel import Session

        immediate = self.engine.execution_options(meishi_write=True)
        with Session(immediate, expire_on_commit=False) as session:
            session.begin()
            keep_current(session)
            try:
                yield session
            finally:
                session.rollback()

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()


def open_store(location: Location | Path, keyring_named: str | None = None) -> Store:
    """Open the database at the run's location (a SQLite file is created if needed,
    owner-only) and bring its schema up to date."""
    if isinstance(location, Path):
        location = in_file(location)
    engine = _engine(location, keyring_named)
    try:
        with database_errors(location):
            _migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, location)


def engine_for(location: Location, keyring_named: str | None = None) -> Engine:
    """An engine on the location as it is, its schema untouched (`db copy` builds it)."""
    return _engine(location, keyring_named)


def _engine(location: Location, keyring_named: str | None) -> Engine:
    """The engine for the location: the server's, or the SQLite file's (checked first)."""
    if location.on_server:
        from meishi.store.postgres import server_engine

        return server_engine(location, keyring_named)
    from meishi.files import private_file  # not at module level: `meishi search` skips it

    path = location.path or Path()
    private_file(path)  # SQLite gives its -wal and -shm files the main file's permissions
    _refuse_foreign(path)
    return _sqlite_engine(path)


def where(location: Location) -> str:
    """The location as messages name it: the file, or the URL without its password."""
    if location.on_server:
        from meishi.store.postgres import shown

        return shown(location)
    return str(location.path)


@contextmanager
def database_errors(place: Path | str | Location) -> Iterator[None]:
    """The database failing (the SQLite file, or the server) becomes one named error saying
    what to do."""
    try:
        yield
    except Exception as error:
        cause = getattr(error, "orig", error)  # SQLAlchemy wraps the driver's error
        problem = _problem(where(place) if isinstance(place, Location) else place, cause)
        if problem is None:
            raise
        raise problem from None


def _problem(where: Path | str, cause: BaseException) -> MeishiError | None:
    """What a driver's error means for the database, or None when it is not the database's."""
    if isinstance(cause, sqlite3.Error):
        return database_problem(Path(where), cause)
    if type(cause).__module__.startswith("psycopg") and isinstance(cause, Exception):
        from meishi.store.postgres import problem

        return problem(str(where), cause)
    return None


# What to do when SQLite cannot use the database file, by SQLite's primary result code.
_FILE_ADVICE = {
    sqlite3.SQLITE_READONLY: "it or its folder is read-only; make both writable (chmod u+w)",
    sqlite3.SQLITE_CANTOPEN: "check that it and its folder exist and that you may write them",
    sqlite3.SQLITE_PERM: "permission denied; check who owns it and its permissions",
    sqlite3.SQLITE_FULL: "the disk is full; free some space and try again",
    sqlite3.SQLITE_IOERR: "the disk failed to read or write it; check the disk",
}


def database_problem(path: Path, error: sqlite3.Error) -> MeishiError | None:
    """What SQLite's error means for the database file, or None when it is not the file's."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # the primary result code
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return damaged(path, str(error))
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
    with database_errors(path), closing(read_only(path)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if tables and "alembic_version" not in tables:
        raise DatabaseDamaged(
            f"{path} is not a meishi database: it holds another program's tables; "
            "move it aside, or point MEISHI_HOME at another folder"
        )


def read_only(path: Path) -> sqlite3.Connection:
    """A plain connection that cannot write to the database."""
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def ensure_current(path: Path) -> None:
    """Create or upgrade the database file at `path` unless it is at this meishi's schema
    already."""
    if not is_current(path):
        open_store(path).close()


def is_current(path: Path) -> bool:
    """True when the database exists at this meishi's schema revision."""
    if not path.exists():
        return False
    try:
        with closing(read_only(path)) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:  # open_store() says what is wrong with it
        return False
    return bool(row == (SCHEMA_REVISION,))


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


def _migrate(engine: Engine) -> None:
    """Upgrade an older schema in place; refuse a newer one."""
    if _current_revision(engine) == SCHEMA_REVISION:
        return
    with engine.execution_options(meishi_write=True).begin() as connection:
        build_schema(connection)


def build_schema(connection: Connection) -> None:
    """Bring the database on this connection to the newest schema (making it in a new one),
    inside the caller's transaction: `db copy` makes its destination's and fills it in one."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "meishi:migrations")
    _upgrade(config, ScriptDirectory.from_config(config), connection)


def _upgrade(config: Any, scripts: Any, connection: Connection) -> None:
    """Run the migrations from the database's revision to the head, under the write lock."""
    from alembic import command

    revision = _revision_on(connection)  # again, now that the lock is held
    if revision is None and connection.dialect.name == "postgresql":
        from meishi.store.postgres import create_schema

        # A new server database is made from the models, then stamped (docs/architecture.md).
        shown = connection.engine.url.render_as_string(hide_password=True)
        create_schema(connection, SCHEMA_REVISION, shown)
        return
    if revision is not None and revision not in {s.revision for s in scripts.walk_revisions()}:
        raise DatabaseTooNew(
            f"the database {connection.engine.url.database} was written by a newer meishi "
            f"(schema {revision}); upgrade meishi to use it"
        )
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    # A migration that changes what is searched notes the contacts; they are folded here.
    refresh(driver_of(connection))


def _current_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database, or None for a new one."""
    with engine.connect() as connection:
        return _revision_on(connection)


def _revision_on(connection: Connection) -> str | None:
    """The revision in alembic_version on this connection, or None."""
    if connection.dialect.name == "postgresql":
        from meishi.store.postgres import revision_on

        return revision_on(connection)
    exists = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if exists is None:
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
