"""Find the event or contact a user means: by id, exact name, or unambiguous prefix.

Plain SQL on the SQLite connection, so that fast read paths can resolve names
without loading the ORM; find_event() and find_contact() give ORM rows to writers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from meishi import limits
from meishi.errors import Ambiguous, NotFound
from meishi.text import escape_like
from meishi.validation import id_in

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.models import Contact, Event

MAX_LISTED = 8
MAX_CANDIDATES = 50
# kind: (table, the name column, the columns that label a candidate, the command that lists,
# the longest name it may have)
KINDS = {
    "event": ("event", "name", "id, name, date", "event list", limits.EVENT_FIELD_CHARS),
    "contact": (
        "contact",
        "full_name",
        "id, full_name, company",
        "contacts list",
        limits.NAME_CHARS,
    ),
}


def event_id_named(connection: sqlite3.Connection, text: str) -> int:
    """The id of the event named by id, exact name or prefix (case-insensitive)."""
    return _find(connection, "event", text)


def contact_id_named(connection: sqlite3.Connection, text: str) -> int:
    """The id of the contact named by id, email, exact name or prefix (case-insensitive)."""
    if "@" in text and len(text) <= limits.EMAIL_CHARS:
        row = connection.execute(
            "SELECT contact_id FROM contactemail WHERE address LIKE ? ESCAPE '\\'",
            (escape_like(text.strip()),),
        ).fetchone()
        if row is not None:
            return int(row[0])
    return _find(connection, "contact", text)


def find_event(session: Session, text: str) -> Event:
    """The event named, as an ORM row of the session."""
    from meishi.models import Event

    event = session.get(Event, event_id_named(raw_connection(session), text))
    assert event is not None
    return event


def find_contact(session: Session, text: str) -> Contact:
    """The contact named, as an ORM row of the session."""
    from meishi.models import Contact

    contact = session.get(Contact, contact_id_named(raw_connection(session), text))
    assert contact is not None
    return contact


def raw_connection(session: Session) -> sqlite3.Connection:
    """The SQLite connection under a session, inside the session's transaction."""
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def _find(connection: sqlite3.Connection, kind: str, text: str) -> int:
    """Resolve text against one table: id first, then exact name, then prefix."""
    table, column, labels, listing, longest = KINDS[kind]
    text = text.strip()
    key = id_in(text)
    if key is not None:
        row = connection.execute(f"SELECT id FROM {table} WHERE id = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
    pattern = escape_like(text)
    # No name is longer than its limit (and SQLite refuses a LIKE pattern of 50,000 bytes).
    for like in (pattern, pattern + "%") if len(text) <= longest else ():
        rows = connection.execute(
            f"SELECT {labels} FROM {table} WHERE {column} LIKE ? ESCAPE '\\' "
            f"ORDER BY id LIMIT {MAX_CANDIDATES}",
            (like,),
        ).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        if rows:
            raise Ambiguous(_ambiguous_message(kind, text, rows))
    raise NotFound(f"no {kind} matches '{text[:80]}'; see `meishi {listing}`")


def _ambiguous_message(kind: str, text: str, rows: Sequence[Sequence[object]]) -> str:
    """One line naming the candidates and how to pick one."""
    shown = "; ".join(_label(kind, row) for row in rows[:MAX_LISTED])
    more = f"; and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
    return f"'{text}' matches {len(rows)} {kind}s: {shown}{more}. Use the id or a longer name"


def _label(kind: str, row: Sequence[object]) -> str:
    """How a candidate is named: #id name (date) for events, #id name, company for contacts."""
    key, name, extra = row
    if kind == "event":
        return f"#{key} {name} ({extra})"
    return f"#{key} {name}{f', {extra}' if extra else ''}"
