"""Events as the read commands show them: plain records over the plain connection."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from meishi.store.sql import ReadConnection, clock, day

# The columns of an EventRecord, in its fields' order.
EVENT_COLUMNS = (
    "id, name, name_en, date, start_time, place, series, organizer_name, organizer_email, fee,"
    " attendance"
)


class EventRecord(NamedTuple):
    """An event as stored (attendance: your own status)."""

    id: int
    name: str
    name_en: str | None
    date: dt.date
    start_time: dt.time | None
    place: str | None
    series: str | None
    organizer_name: str | None
    organizer_email: str | None
    fee: int | None
    attendance: str


def _event(row: Any) -> EventRecord:
    """An EventRecord from a row of EVENT_COLUMNS."""
    key, name, name_en, on, start, *rest = row
    return EventRecord(key, name, name_en, day(on), None if start is None else clock(start), *rest)


def events_newest_first(connection: ReadConnection) -> list[EventRecord]:
    """Every event, newest first."""
    rows = connection.execute(f"SELECT {EVENT_COLUMNS} FROM event ORDER BY date DESC, id DESC")
    return [_event(row) for row in rows]


def event_of(connection: ReadConnection, event_id: int) -> EventRecord:
    """The event with this id (known to exist)."""
    row = connection.execute(f"SELECT {EVENT_COLUMNS} FROM event WHERE id = ?", (event_id,))
    return _event(row.fetchone())


def events_with_late_cancellations(connection: ReadConnection) -> list[tuple[EventRecord, bool]]:
    """Every event, oldest first, and whether a cancellation of it was last-minute."""
    late = (
        "EXISTS (SELECT 1 FROM attendancechange a WHERE a.event_id = event.id"
        " AND a.status = 'cancelled' AND a.last_minute)"
    )
    rows = connection.execute(f"SELECT {EVENT_COLUMNS}, {late} FROM event ORDER BY date, id")
    return [(_event(row[:-1]), bool(row[-1])) for row in rows]
