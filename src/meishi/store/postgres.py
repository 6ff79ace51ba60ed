"""The PostgreSQL engine: connecting, the write lock, a new database's schema, the search
index's tables and triggers, the read connection, and what the server's errors mean.

The generic store (engine.py) calls in here when the location is a server database. A
new database is made from the models (SQLModel's metadata) plus the search index below,
then stamped at the newest migration; migrations after that run on both engines.
Writes take one advisory lock first, as SQLite's BEGIN IMMEDIATE takes the file's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from meishi.errors import DatabaseDamaged, MeishiError, Unavailable
from meishi.location import SET_PASSWORD, Location
from meishi.store.sql import STATE, OnServer, ServerConnection

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

# meishi's advisory lock: b"meishi" as a number; every write transaction takes it first.
WRITE_LOCK = int.from_bytes(b"meishi")
LOCK = f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"
TRY_LOCK = f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK})"
# Times are kept as SQLite keeps them: UTC, without a zone.
OPTIONS = "-c TimeZone=UTC"
# The reader's sessions write nothing, unless a transaction says so (folding other tools' edits);
# and never compile a query (JIT): a listing of 100,000 spent ~70 ms compiling what it read.
READ_OPTIONS = f"{OPTIONS} -c default_transaction_read_only=on -c jit=off"
# libpq's reader reads values as text, in the forms its loaders read (libpq.py).
TEXT_FORMS = {"client_encoding": "UTF8", "options": f"{READ_OPTIONS} -c DateStyle=ISO,YMD"}
CONNECT_TIMEOUT = 10  # seconds
UNDEFINED_TABLE = "42P01"  # SQLSTATE
Connected = TypeVar("Connected")

# The search index as SQLite's (migrations 0004, 0010), without FTS5: folded texts in
# contact_text, a trigram index on `doc` (and one of its characters, CHARACTERS below), and
# triggers that only note changed contacts.
SEARCH_SCHEMA = (
    "CREATE TABLE contact_text (id INTEGER PRIMARY KEY, name TEXT, org TEXT, email TEXT, "
    "topics TEXT, events TEXT, note TEXT, doc TEXT NOT NULL)",
    "CREATE TABLE search_stale (id INTEGER PRIMARY KEY)",
    # Folding in SQL, for event names (not in the index): NFKC, lower case, kana as
    # hiragana, no spaces; Python's casefold() differs from lower() for a few letters (ß).
    """CREATE FUNCTION meishi_fold(VARIADIC texts text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(regexp_replace(lower(normalize(
        array_to_string(array_remove(texts, ''), '|'), NFKC)), '[[:space:]]', '', 'g'),
      'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶ',
      'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖ')
    $$""",
    # TG_ARGV[0] selects the contact ids a row ($1) touches.
    """CREATE FUNCTION search_note() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        EXECUTE 'INSERT INTO search_stale (id) ' || TG_ARGV[0] || ' ON CONFLICT DO NOTHING'
          USING OLD;
      END IF;
      IF TG_OP <> 'DELETE' THEN
        EXECUTE 'INSERT INTO search_stale (id) ' || TG_ARGV[0] || ' ON CONFLICT DO NOTHING'
          USING NEW;
      END IF;
      RETURN NULL;
    END $$""",
)
OWNER = "SELECT contact_id FROM encounter WHERE "
# (table, the events, the SQL selecting the contacts a row touches)
TRIGGERS = (
    ("contact", "INSERT OR UPDATE OR DELETE", "SELECT ($1).id"),
    ("contactemail", "INSERT OR UPDATE OR DELETE", "SELECT ($1).contact_id"),
    ("encounter", "INSERT OR UPDATE OR DELETE", "SELECT ($1).contact_id"),
    ("topic", "INSERT OR UPDATE OR DELETE", OWNER + "id = ($1).encounter_id"),
    ("event", "UPDATE OF name, series", OWNER + "event_id = ($1).id"),
)
TRIGRAM_INDEX = "CREATE INDEX contact_text_doc_trgm ON contact_text USING gin (doc gin_trgm_ops)"
# Each contact's characters, indexed (migration 0018): a search of one or two characters,
# which no trigram holds, reads the contacts holding each of its characters instead of
# every contact's text. Plain SQL and GIN's own operators for arrays: no extension.
# meishi_chars() is never worked out row by row in a scan (~5 µs a contact, 0.5 s at
# 100,000): STRICT over a function that is not keeps it from being inlined, so its COST
# stands; and the index keeps no statistics, so the planner never learns that a character
# is in most contacts and scans for it: the index answers, and the scan is strpos's.
CHARACTERS = (
    "CREATE FUNCTION meishi_chars(text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 "
    "AS $$ SELECT string_to_array($1, NULL) $$",
    "CREATE INDEX contact_text_doc_chars ON contact_text USING gin (meishi_chars(doc))",
    "ALTER INDEX contact_text_doc_chars ALTER COLUMN 1 SET STATISTICS 0",
)


def server_engine(location: Location, keyring_named: str | None) -> Engine:
    """An engine on the server database: READ COMMITTED, the write lock taken on BEGIN."""
    from sqlalchemy import create_engine, event

    engine = create_engine(
        location.url or "",
        isolation_level="READ COMMITTED",
        creator=lambda: connect(location, keyring_named),
    )
    event.listen(engine, "begin", _begin)
    return engine


def connect(
    location: Location, keyring_named: str | None, options: str = OPTIONS, autocommit: bool = False
) -> Any:
    """A psycopg connection to the server database."""
    import psycopg

    def opening(conninfo: str, password: str | None) -> Any:
        """psycopg's connection, with the password given, if any."""
        return psycopg.connect(
            conninfo,
            password=password,
            options=options,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT,
        )

    return _logged_in(location, keyring_named, opening, psycopg.OperationalError)


def _logged_in(
    location: Location,
    keyring_named: str | None,
    opening: Callable[[str, str | None], Connected],
    refused: type[Exception],
) -> Connected:
    """A connection opened by `opening(conninfo, password)`. libpq finds the password (in the
    URL, ~/.pgpass, a service file); when the server asks for one it did not find, the
    keyring's is given (looked up only then: importing keyring costs a fast command its
    speed)."""
    conninfo = "postgresql://" + (location.url or "").partition("://")[2]
    try:
        return opening(conninfo, None)
    except refused as error:
        password = _keyring_password(location, keyring_named) if _asks_password(error) else None
        if password is None:
            raise
        return opening(conninfo, password)


def _asks_password(error: Exception) -> bool:
    """True when the server refused a login for want of a password."""
    return "no password supplied" in str(error)


def _keyring_password(location: Location, keyring_named: str | None) -> str | None:
    """The keyring's password for the location's login, or None."""
    from meishi.mail.keychain import database_password

    return database_password(location.url or "", keyring_named)


def _begin(connection: Connection) -> None:
    """A writer's transaction takes meishi's lock first, as BEGIN IMMEDIATE does on SQLite."""
    if connection.get_execution_options().get("meishi_write"):
        connection.exec_driver_sql(LOCK)


def shown(location: Location) -> str:
    """The location's URL as messages show it: as the user gives it (postgresql://, no
    driver name) and never the password."""
    from sqlalchemy.engine import make_url

    url = make_url(location.url or "").set(drivername="postgresql")
    return url.render_as_string(hide_password=True)


def revision_on(connection: Connection) -> str | None:
    """The schema revision in the database, or None for a new (empty) one."""
    exists = connection.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar()
    if exists is None:
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def create_schema(connection: Connection, revision: str, where: str) -> None:
    """Make meishi's tables in an empty database, stamped at `revision`, under the write lock."""
    from sqlmodel import SQLModel

    import meishi.models  # noqa: F401  (registers the tables on SQLModel.metadata)

    _refuse_foreign(connection, where)
    SQLModel.metadata.create_all(connection)
    for statement in SEARCH_SCHEMA:
        connection.exec_driver_sql(statement)
    for table, events, contacts in TRIGGERS:
        connection.exec_driver_sql(
            f"CREATE TRIGGER search_{table} AFTER {events} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION search_note('{contacts}')"
        )
    for statement in CHARACTERS:
        connection.exec_driver_sql(statement)
    _trigram_index(connection)
    connection.exec_driver_sql(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )
    connection.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{revision}')")


def _refuse_foreign(connection: Connection, where: str) -> None:
    """Refuse a database holding another program's tables."""
    tables = connection.exec_driver_sql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
    ).scalar()
    if tables:
        raise DatabaseDamaged(
            f"{where} is not a meishi database: it holds another program's tables; "
            "give meishi a database of its own (createdb meishi)"
        )


def _trigram_index(connection: Connection) -> None:
    """The trigram index of the search text, when the server has pg_trgm (else: scans)."""
    from sqlalchemy.exc import DBAPIError

    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            connection.exec_driver_sql(TRIGRAM_INDEX)
    except DBAPIError:  # not installed, or not ours to install: search scans instead
        return


def problem(where: str, error: Exception) -> MeishiError | None:
    """What the server's error means, as one line (never the password), or None."""
    if not _operational(error):
        return None
    said = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
    if "password" in said or "authentication" in said:
        return Unavailable(
            f"the database server refused the login for {where}; keep the password with "
            f"`{SET_PASSWORD}` or in ~/.pgpass"
        )
    if "does not exist" in said:
        return Unavailable(f"cannot use {where}: {said}; create it (createdb) or fix the URL")
    return Unavailable(
        f"cannot reach the database server for {where} ({said}); check that it is running "
        "and that the URL (MEISHI_DATABASE_URL or database.url) is right"
    )


def _operational(error: Exception) -> bool:
    """True when the server could not be reached or used: libpq's error or psycopg's."""
    from meishi.store import libpq

    if isinstance(error, libpq.OperationalError):
        return True
    import psycopg

    return isinstance(error, psycopg.OperationalError)


@contextmanager
def server_reader(
    location: Location, keyring_named: str | None, revision: str, upgrade: Callable[[], None]
) -> Iterator[OnServer]:
    """A plain connection to the server database for reading: its schema brought to
    `revision` first (by `upgrade`) when it is not there, its index caught up."""
    for attempt in (1, 2):
        connection = _read_connection(location, keyring_named)
        try:
            found, stale = _state(connection)
            if found == revision or attempt == 2:
                if stale:
                    _catch_up(connection)
                yield connection
                return
        finally:
            connection.close()
        upgrade()


@contextmanager
def server_writer(
    location: Location, keyring_named: str | None, revision: str, upgrade: Callable[[], None]
) -> Iterator[ServerConnection]:
    """A plain connection to the server database holding meishi's write lock, committed
    when the block ends and rolled back when it raises; its schema brought to `revision`
    first (by `upgrade`) when it is not there."""
    for attempt in (1, 2):
        with connect(location, keyring_named) as raw:  # psycopg commits, or rolls back
            connection = ServerConnection(raw)
            if attempt == 1 and _state(connection)[0] != revision:
                raw.rollback()
            else:
                connection.execute(LOCK)
                yield connection
                return
        upgrade()


def _read_connection(location: Location, keyring_named: str | None) -> OnServer:
    """The reader's connection, autocommit and read-only: through libpq itself (libpq.py),
    or psycopg's when there is no libpq to load."""
    from meishi.store import libpq

    lib = libpq.library()
    if lib is None:
        return ServerConnection(connect(location, keyring_named, READ_OPTIONS, autocommit=True))

    def opening(conninfo: str, password: str | None) -> libpq.Connection:
        """libpq's connection, with the password given, if any."""
        given = {} if password is None else {"password": password}
        timeout = {"connect_timeout": str(CONNECT_TIMEOUT)}
        return libpq.connect(lib, {"dbname": conninfo, **TEXT_FORMS, **timeout, **given})

    return _logged_in(location, keyring_named, opening, libpq.OperationalError)


def _state(connection: OnServer) -> tuple[str | None, bool]:
    """The schema revision in the database (None for a new one), and whether contacts
    changed by other tools wait to be folded into the index."""
    try:
        row = connection.execute(STATE).fetchone()
    except Exception as error:  # psycopg's and libpq's errors both say their SQLSTATE
        if getattr(error, "sqlstate", None) != UNDEFINED_TABLE:
            raise
        return None, False
    return (None, False) if row is None else (str(row[0]), bool(row[1]))


def _catch_up(connection: OnServer) -> None:
    """Fold what other tools changed, unless a writer holds the lock (it folds them)."""
    from meishi.store.index import refresh

    connection.execute("BEGIN READ WRITE")
    if connection.execute(TRY_LOCK).fetchone()[0]:
        refresh(connection)
    connection.execute("COMMIT")
