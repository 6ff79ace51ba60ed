"""The events of a gathering, read over the plain connection: a series' occurrences, the
series a name stands for, what was met and thanked at each, and when you last went."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import NamedTuple

from meishi.store.sql import ReadConnection, day, marks
from meishi.text import escape_like


class EventRecord(NamedTuple):
    """One event, as the agenda and the verdict read it."""

    id: int
    name: str
    date: dt.date
    series: str | None
    organizer: str | None
    attendance: str  # your own: registered, attended, cancelled or no-show


EVENTS = "SELECT id, name, date, series, organizer_name, attendance FROM event"
OLDEST_FIRST = " ORDER BY date, id"


def _events(
    connection: ReadConnection, where: str, parameters: tuple[object, ...]
) -> list[EventRecord]:
    """The events meeting a condition, oldest first."""
    rows = connection.execute(f"{EVENTS} WHERE {where}{OLDEST_FIRST}", parameters)
    return [
        EventRecord(key, name, day(on), series, organizer, attendance)
        for key, name, on, series, organizer, attendance in rows
    ]


def event_by_id(connection: ReadConnection, event_id: int) -> EventRecord:
    """The event with this id (which exists: resolve found it)."""
    return _events(connection, "id = ?", (event_id,))[0]


def events_of_series(connection: ReadConnection, series: str) -> list[EventRecord]:
    """The events of a series (its name in any case), oldest first."""
    return _events(connection, "lower(series) = ?", (series.lower(),))


def events_named(connection: ReadConnection, name: str) -> list[EventRecord]:
    """The events of this name (in any case), oldest first: a one-off's occurrences."""
    return _events(connection, "lower(name) = ?", (name.lower(),))


def series_named(connection: ReadConnection, needle: str, exact: bool) -> list[str]:
    """The series named `needle` (lower case), or, not exact, starting with it; sorted."""
    where, value = ("= ?", needle) if exact else ("LIKE ? ESCAPE '\\'", _start(needle))
    rows = connection.execute(
        f"SELECT DISTINCT series FROM event WHERE lower(series) {where}", (value,)
    )
    return sorted(name for (name,) in rows if name)


def series_of_names_starting(connection: ReadConnection, needle: str) -> set[str | None]:
    """The series (None for a one-off) of the events whose names start with `needle` (lower
    case)."""
    query = "SELECT DISTINCT series FROM event WHERE lower(name) LIKE ? ESCAPE '\\'"
    return {series for (series,) in connection.execute(query, (_start(needle),))}


def _start(needle: str) -> str:
    """A LIKE pattern for what starts with the needle."""
    return escape_like(needle) + "%"


def with_status_between(
    connection: ReadConnection, status: str, since: dt.date, until: dt.date
) -> list[EventRecord]:
    """The events of your status (e.g. attended) from `since` to `until`, oldest first."""
    where = "date >= ? AND date <= ? AND attendance = ?"
    return _events(connection, where, (since.isoformat(), until.isoformat(), status))


def coming_in_a_series(
    connection: ReadConnection, status: str, today: dt.date
) -> list[EventRecord]:
    """The events of a series of your status (e.g. registered), from `today` on, oldest
    first."""
    where = "date >= ? AND attendance = ? AND series IS NOT NULL"
    return _events(connection, where, (today.isoformat(), status))


def last_of_series(connection: ReadConnection, series: str, status: str) -> dt.date | None:
    """The day of the last occurrence of the series of your status (e.g. attended)."""
    query = "SELECT max(date) FROM event WHERE series = ? AND attendance = ?"
    (found,) = connection.execute(query, (series, status)).fetchone()
    return None if found is None else day(found)


def met_and_thanked(
    connection: ReadConnection, event_ids: Collection[int]
) -> dict[int, tuple[int, int]]:
    """How many people you met at each of these events, and how many of them you thanked."""
    if not event_ids:
        return {}
    rows = connection.execute(
        "SELECT event_id, count(*), count(thanked_at) FROM encounter"
        f" WHERE event_id IN ({marks(event_ids)}) GROUP BY event_id",
        tuple(event_ids),
    )
    return {event: (met, thanked) for event, met, thanked in rows}
