"""The plain reads and writes of meeting a person at an event: the event, the contact found
by email or name, its emails, the encounter and its topics (no SQLAlchemy).

`meishi add` runs them on the writer (store/writer.py); the ORM's writers (`add --scan`,
`import`, the demo) on the connection under their session (resolve.raw_connection), so
both store a card the same way. Stamps are written as SQLAlchemy writes them (sql.written),
so that the ORM reads these rows back as its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from meishi.store.obligations import forgive
from meishi.store.sql import ReadConnection, clock, day, marks, written

# Rows are read by position: under an ORM session, sqlite3's rows are plain tuples.


@dataclass(frozen=True)
class StoredEvent:
    """What adding a card needs of a stored event."""

    id: int
    name: str
    date: dt.date
    start_time: dt.time | None
    attendance: str  # registered, attended, cancelled or no-show


@dataclass(frozen=True)
class StoredContact:
    """A stored contact's names and card fields, as a card is compared with them (and a
    letter addressed)."""

    id: int
    full_name: str
    reading: str | None = None
    company: str | None = None
    department: str | None = None
    title: str | None = None
    phone: str | None = None
    lang: str | None = None
    note: str | None = None
    family_name: str | None = None
    given_name: str | None = None


_EVENT = "SELECT id, name, date, start_time, attendance FROM event"
_CONTACT = (
    "SELECT id, full_name, reading, company, department, title, phone, lang, note, family_name,"
    " given_name FROM contact"
)


def event_by_id(connection: ReadConnection, event_id: int) -> StoredEvent | None:
    """The event with this id, if it is stored."""
    return _event(connection.execute(f"{_EVENT} WHERE id = ?", (event_id,)).fetchone())


def latest_started_event(connection: ReadConnection, now: dt.datetime) -> StoredEvent | None:
    """The most recent event started by now (one without a start time starts at 00:00); of
    one day's, the latest start, one without a time last, on both engines."""
    today = written(connection, now.date())
    started = written(connection, now.time().replace(tzinfo=None))
    row = connection.execute(
        f"{_EVENT} WHERE date < ? OR (date = ? AND (start_time IS NULL OR start_time <= ?)) "
        "ORDER BY date DESC, start_time DESC NULLS LAST, id DESC LIMIT 1",
        (today, today, started),
    ).fetchone()
    return _event(row)


def _event(row: Any) -> StoredEvent | None:
    """An event row as a StoredEvent."""
    if row is None:
        return None
    key, name, date, time, attendance = row
    return StoredEvent(int(key), name, day(date), None if time is None else clock(time), attendance)


def latest_attendance_reason(connection: ReadConnection, event_id: int) -> str | None:
    """The reason given with the event's latest attendance change, if any."""
    row = connection.execute(
        "SELECT reason FROM attendancechange WHERE event_id = ? ORDER BY id DESC LIMIT 1",
        (event_id,),
    ).fetchone()
    return None if row is None else row[0]


def mark_attended(
    connection: ReadConnection, event_id: int, at: dt.datetime, reason: str, now: dt.datetime
) -> None:
    """Record that you attended the event as of `at`: its status, the change, and nothing
    owed for it any more."""
    forgive(connection, event_id)
    connection.execute("UPDATE event SET attendance = 'attended' WHERE id = ?", (event_id,))
    connection.execute(
        "INSERT INTO attendancechange (event_id, status, at, last_minute, reason, created_at) "
        "VALUES (?, 'attended', ?, ?, ?, ?)",
        (event_id, written(connection, at), False, reason, written(connection, now)),
    )


def contact_by_id(connection: ReadConnection, contact_id: int) -> StoredContact | None:
    """The contact with this id, if it is stored."""
    row = connection.execute(f"{_CONTACT} WHERE id = ?", (contact_id,)).fetchone()
    return None if row is None else StoredContact(*row)


def contacts_named(connection: ReadConnection, name: str) -> list[StoredContact]:
    """The contacts with exactly this full name, oldest first."""
    rows = connection.execute(f"{_CONTACT} WHERE full_name = ? ORDER BY id", (name,))
    return [StoredContact(*row) for row in rows]


def owners_of(connection: ReadConnection, emails: Iterable[str]) -> dict[str, int]:
    """The id of the contact holding each of these emails that one holds, by email (in the
    order they were stored)."""
    wanted = list(emails)
    if not wanted:
        return {}
    query = (
        f"SELECT address, contact_id FROM contactemail WHERE address IN ({marks(wanted)})"
        " ORDER BY id"
    )
    return {row[0]: int(row[1]) for row in connection.execute(query, wanted)}


def insert_contact(connection: ReadConnection, fields: Mapping[str, Any], now: dt.datetime) -> int:
    """Store a new contact with these columns, stamped created and updated now; its id."""
    stamp = written(connection, now)
    columns = {**fields, "created_at": stamp, "updated_at": stamp}
    query = f"INSERT INTO contact ({', '.join(columns)}) VALUES ({marks(columns)}) RETURNING id"
    return int(connection.execute(query, list(columns.values())).fetchone()[0])


def update_contact(
    connection: ReadConnection, contact_id: int, fields: Mapping[str, Any], now: dt.datetime
) -> None:
    """Set these columns of a contact, stamped updated now."""
    columns = {**fields, "updated_at": written(connection, now)}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    query = f"UPDATE contact SET {assignments} WHERE id = ?"
    connection.execute(query, [*columns.values(), contact_id])


def emails_of(connection: ReadConnection, contact_id: int) -> list[str]:
    """The contact's emails, first given first."""
    query = "SELECT address FROM contactemail WHERE contact_id = ? ORDER BY position, id"
    return [row[0] for row in connection.execute(query, (contact_id,))]


def insert_emails(
    connection: ReadConnection, contact_id: int, addresses: list[str], first: int
) -> None:
    """Give the contact these emails, in order, from position `first` on."""
    rows = [(contact_id, address, first + n) for n, address in enumerate(addresses)]
    connection.executemany(
        "INSERT INTO contactemail (contact_id, address, position) VALUES (?, ?, ?)", rows
    )


def delete_emails(connection: ReadConnection, contact_id: int, addresses: Iterable[str]) -> None:
    """Take these emails from the contact; the others keep their order, from position 0."""
    gone = list(addresses)
    if gone:
        connection.execute(
            f"DELETE FROM contactemail WHERE contact_id = ? AND address IN ({marks(gone)})",
            [contact_id, *gone],
        )
    rows = connection.execute(
        "SELECT id FROM contactemail WHERE contact_id = ? ORDER BY position, id", (contact_id,)
    ).fetchall()
    connection.executemany(
        "UPDATE contactemail SET position = ? WHERE id = ?",
        [(position, row[0]) for position, row in enumerate(rows)],
    )


def encounter_at(
    connection: ReadConnection, contact_id: int, event_id: int
) -> tuple[int, str | None] | None:
    """(id, note) of the contact's encounter at the event, if there is one."""
    row = connection.execute(
        "SELECT id, note FROM encounter WHERE contact_id = ? AND event_id = ?",
        (contact_id, event_id),
    ).fetchone()
    return None if row is None else (int(row[0]), row[1])


def insert_encounter(
    connection: ReadConnection, contact_id: int, event_id: int, note: str | None, now: dt.datetime
) -> int:
    """Store meeting the contact at the event, stamped now; the encounter's id."""
    query = (
        "INSERT INTO encounter (contact_id, event_id, note, created_at) VALUES (?, ?, ?, ?) "
        "RETURNING id"
    )
    values = (contact_id, event_id, note, written(connection, now))
    return int(connection.execute(query, values).fetchone()[0])


def set_encounter_note(connection: ReadConnection, encounter_id: int, note: str) -> None:
    """Replace an encounter's note."""
    connection.execute("UPDATE encounter SET note = ? WHERE id = ?", (note, encounter_id))


def topics_of(connection: ReadConnection, encounter_id: int) -> list[str]:
    """The encounter's topics, in order."""
    query = "SELECT text FROM topic WHERE encounter_id = ? ORDER BY position, id"
    return [row[0] for row in connection.execute(query, (encounter_id,))]


def insert_topics(
    connection: ReadConnection, encounter_id: int, topics: list[str], first: int
) -> None:
    """Give the encounter these topics, in order, from position `first` on."""
    rows = [(encounter_id, first + n, text) for n, text in enumerate(topics)]
    connection.executemany(
        "INSERT INTO topic (encounter_id, position, text) VALUES (?, ?, ?)", rows
    )
