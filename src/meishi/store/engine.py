"""The store: owns the engine, sessions, transactions and schema migrations.

Everything else reaches the database through `open_store()`, given its location by
the run (run.py); nothing else creates an engine. The fast read connection is in
reader.py, backups in backup.py. SQLite is the embedded default (sqlite.py holds what is
its own); a PostgreSQL server's database (postgres.py) is the other engine, both reached
through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi.errors import DatabaseTooNew, MeishiError
from meishi.location import Location, in_file
from meishi.store import sqlite
from meishi.store.index import driver_of, keep_current, refresh

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

# The newest schema revision this meishi knows; a test keeps it equal to the
# head of migrations/versions so opening an up-to-date database skips Alembic.
SCHEMA_REVISION = "0019"


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
    with database_errors(location):
        return sqlite.file_engine(location.path or Path())


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
    if not isinstance(cause, Exception):
        return None
    # The server's errors: psycopg's, or those of the reader's own libpq connection.
    if type(cause).__module__.startswith(("psycopg", "meishi.store.libpq")):
        from meishi.store.postgres import problem

        return problem(str(where), cause)
    return sqlite.problem(where, cause)


def ensure_current(path: Path) -> None:
    """Create or upgrade the database file at `path` unless it is at this meishi's schema
    already."""
    # Here, not in sqlite.py: looking is the file's own, opening a store the generic part.
    if not sqlite.is_current(path, SCHEMA_REVISION):
        make_current(path)


def make_current(location: Location | Path, keyring_named: str | None = None) -> None:
    """Create or upgrade the store's schema at `location`: what a plain connection asks for
    when it finds the schema behind this meishi's."""
    open_store(location, keyring_named).close()


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
    return sqlite.revision_on(connection)
