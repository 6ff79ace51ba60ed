"""Keeping the search index in step: the texts are folded here, in Python, on meishi's writes.

The tables' triggers (migration 0010) are plain SQL that only note, in search_stale, each
contact whose searchable text may have changed, so any SQLite client can write the
database. meishi folds the noted contacts' texts (meishi.text.fold): after each flush of its
own writes and before each commit; and what other tools noted, when a write begins and
before a search (store/reader.py). `meishi db reindex` rebuilds every contact's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from meishi.store.sql import ReadConnection, ServerConnection, dialect_of
from meishi.text import fold

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from meishi.store.engine import Store

# The index's columns, as contact_text and contact_search hold them.
COLUMNS = ("name", "org", "email", "topics", "events", "note")
STALE = "SELECT id FROM search_stale"
_CONTACTS = (
    "SELECT id, full_name, family_name, given_name, reading, company, department, title, "
    f"note, phone FROM contact WHERE id IN ({STALE})"
)
# Each: (contact id, texts folded together), in the order the index lists them.
_EMAILS = f"SELECT contact_id, address FROM contactemail WHERE contact_id IN ({STALE}) ORDER BY id"
_TOPICS = (
    "SELECT e.contact_id, t.text FROM topic t JOIN encounter e ON e.id = t.encounter_id "
    f"WHERE e.contact_id IN ({STALE}) ORDER BY e.id, t.id"
)
_EVENTS = (
    "SELECT e.contact_id, v.name, v.series FROM event v JOIN encounter e ON e.event_id = v.id "
    f"WHERE e.contact_id IN ({STALE}) ORDER BY e.id"
)
_ENCOUNTER_NOTES = (
    "SELECT contact_id, note FROM encounter "
    f"WHERE contact_id IN ({STALE}) AND note IS NOT NULL ORDER BY id"
)
_HELD = "meishi_index_held"


LISTED = ", ".join(COLUMNS)
# SQLite's FTS5 table follows contact_text by hand; PostgreSQL's trigram index by itself.
_FTS_FORGET = (
    f"INSERT INTO contact_search (contact_search, rowid, {LISTED}) "
    f"SELECT 'delete', id, {LISTED} FROM contact_text WHERE id IN ({STALE})"
)
_FTS_ADD = (
    f"INSERT INTO contact_search (rowid, {LISTED}) "
    f"SELECT id, {LISTED} FROM contact_text WHERE id IN ({STALE})"
)


def refresh(connection: ReadConnection) -> int:
    """Rebuild the search text of every contact noted as stale; how many were rebuilt."""
    if connection.execute(f"{STALE} LIMIT 1").fetchone() is None:
        return 0
    fts = dialect_of(connection).name == "sqlite"
    if fts:
        connection.execute(_FTS_FORGET)
    connection.execute(f"DELETE FROM contact_text WHERE id IN ({STALE})")
    rows = list(_documents(connection))
    connection.executemany(
        f"INSERT INTO contact_text (id, {LISTED}, doc) VALUES ({', '.join('?' * 8)})", rows
    )
    if fts:
        connection.execute(_FTS_ADD)
    connection.execute("DELETE FROM search_stale")
    return len(rows)


def reindex(connection: ReadConnection) -> int:
    """Rebuild the whole search index from the tables; how many contacts it holds."""
    if dialect_of(connection).name == "sqlite":
        connection.execute("INSERT INTO contact_search (contact_search) VALUES ('delete-all')")
    connection.execute("DELETE FROM contact_text")
    connection.execute("DELETE FROM search_stale")
    connection.execute("INSERT INTO search_stale (id) SELECT id FROM contact")
    return refresh(connection)


def _documents(connection: ReadConnection) -> Iterator[tuple[Any, ...]]:
    """(id, the six folded columns, all of them joined) for each stale contact."""
    emails = _folded_lists(connection, _EMAILS)
    topics = _folded_lists(connection, _TOPICS)
    events = _folded_lists(connection, _EVENTS)
    notes = _joined(connection, _ENCOUNTER_NOTES)
    for key, *card in connection.execute(_CONTACTS):
        full, family, given, reading, company, department, title, note, phone = card
        columns = (
            fold(full, family, given, reading),
            fold(company, department, title),
            emails.get(key),
            topics.get(key),
            events.get(key),
            fold(note, phone, notes.get(key)),
        )
        yield key, *columns, "|".join(column or "" for column in columns)


def _folded_lists(connection: ReadConnection, query: str) -> dict[int, str]:
    """Each contact's rows of the query, each folded, joined with '|'."""
    return _grouped((key, fold(*texts)) for key, *texts in connection.execute(query))


def _joined(connection: ReadConnection, query: str) -> dict[int, str]:
    """Each contact's texts from the query, joined with '|' as they are (folded later)."""
    return _grouped(connection.execute(query))


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Texts by contact, joined with '|' in the order given."""
    texts: defaultdict[int, list[str]] = defaultdict(list)
    for key, text in rows:
        texts[key].append(text)
    return {key: "|".join(values) for key, values in texts.items()}


def keep_current(session: Session) -> None:
    """Have a writing session fold the contacts other tools changed, when it first uses the
    database, then those it changes: after each flush (unless the index is held) and before
    it commits."""
    from sqlalchemy import event

    event.listen(session, "after_begin", _after_begin)
    event.listen(session, "after_flush", _after_flush)
    event.listen(session, "before_commit", _refresh_session)


def _after_begin(_session: Session, _transaction: Any, connection: Connection) -> None:
    """Fold what other tools changed since meishi last wrote, so that names resolve by it."""
    refresh(driver_of(connection))


def _after_flush(session: Session, _context: Any) -> None:
    """Fold what the flush changed, unless an import holds the index until its end."""
    if not session.info.get(_HELD):
        _refresh_session(session)


def _refresh_session(session: Session) -> None:
    """Fold the stale contacts, inside the session's transaction."""
    refresh(driver_of(session.connection()))


def driver_of(connection: Connection) -> Any:
    """The plain connection under SQLAlchemy's, inside its transaction: sqlite3's, or
    psycopg's spoken to as sqlite3's (store/sql.py)."""
    driver = connection.connection.driver_connection
    return driver if connection.dialect.name == "sqlite" else ServerConnection(driver)


@contextmanager
def index_held(session: Session) -> Iterator[None]:
    """Inside a write, fold the contacts written once at the end, not after every flush.

    On an error the write is rolled back, the noted contacts with it.
    """
    session.info[_HELD] = True
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_HELD, None)
    _refresh_session(session)


def reindex_store(store: Store) -> int:
    """Rebuild the store's search index in one write; how many contacts it holds."""
    with store.write() as session:
        return reindex(driver_of(session.connection()))
