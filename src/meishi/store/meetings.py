"""Whom you met where, read over the plain connection: the people met at events, what you
talked about, the thank-yous not sent yet and their drafts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import NamedTuple

from meishi.store.sql import ReadConnection, batches, day, dialect_of, marks


class Met(NamedTuple):
    """One person met at one event (a named tuple: `todo` reads thousands)."""

    encounter_id: int
    contact_id: int
    full_name: str
    reading: str | None
    company: str | None
    event_id: int
    event_name: str
    event_date: dt.date
    thanked: bool  # the thank-you for this meeting went out
    note: str | None  # yours, about the meeting


MET = (
    "SELECT en.id, c.id, c.full_name, c.reading, c.company, ev.id, ev.name, ev.date,"
    " en.thanked_at IS NOT NULL, en.note FROM encounter en JOIN contact c ON c.id = en.contact_id"
    " JOIN event ev ON ev.id = en.event_id"
)
BY_EVENT = " ORDER BY ev.date, ev.id, en.id"
HAS_EMAIL = " AND EXISTS (SELECT 1 FROM contactemail m WHERE m.contact_id = c.id)"


def _met(connection: ReadConnection, where: str, parameters: tuple[object, ...]) -> list[Met]:
    """The meetings meeting a condition, by event (oldest first), then as recorded."""
    rows = connection.execute(f"{MET} WHERE {where}{BY_EVENT}", parameters)
    return [
        Met(encounter, contact, name, reading, company, event, title, day(on), bool(thanked), note)
        for encounter, contact, name, reading, company, event, title, on, thanked, note in rows
    ]


def met_at(
    connection: ReadConnection,
    event_ids: Collection[int],
    contacts: Collection[int] | None = None,
) -> list[Met]:
    """Everyone met at these events (or only these contacts)."""
    if not event_ids or (contacts is not None and not contacts):
        return []
    if contacts is None:
        return _met(connection, f"ev.id IN ({marks(event_ids)})", tuple(event_ids))
    unindexed = dialect_of(connection).unindexed  # these people's meetings, not the events'
    where = f"c.id IN ({marks(contacts)}) AND {unindexed}ev.id IN ({marks(event_ids)})"
    return _met(connection, where, (*contacts, *event_ids))


def headcount(connection: ReadConnection, event_ids: Collection[int]) -> tuple[int, int]:
    """How many people were met at these events, and how many of them were thanked for none
    of those meetings.

    Each person counts once, whatever the number of their meetings there. On SQLite, when
    the events hold a tenth of all meetings or more (as their largest id counts them), every
    meeting is read in the order of contacts, as an index holds them (at 100k people met at
    one series: 10 ms, against 130 for sorting theirs); else only theirs, by the index of
    events, then sorted. The people thanked are found by the index of events and thank-yous."""
    if not event_ids:
        return 0, 0
    ids, among = tuple(event_ids), marks(event_ids)
    every = ""
    if unindexed := dialect_of(connection).unindexed:
        meetings, last = connection.execute(
            f"SELECT (SELECT count(*) FROM encounter WHERE event_id IN ({among})),"
            " (SELECT max(id) FROM encounter)",
            ids,
        ).fetchone()
        every = unindexed if meetings * 10 >= (last or 0) else ""
    people, thanked = connection.execute(
        f"SELECT (SELECT count(DISTINCT contact_id) FROM encounter WHERE {every}event_id IN"
        f" ({among})), (SELECT count(DISTINCT contact_id) FROM encounter WHERE event_id IN"
        f" ({among}) AND thanked_at IS NOT NULL)",
        ids + ids,
    ).fetchone()
    return people, people - thanked


def latest_met_without_mail(
    connection: ReadConnection, event_ids: Collection[int], most: int
) -> list[int]:
    """The first `most` people met at these events with no mail recorded: the one met the
    latest first, then by id."""
    if not event_ids or most <= 0:
        return []
    rows = connection.execute(
        "SELECT en.contact_id, max(ev.date) AS latest FROM encounter en"
        " JOIN event ev ON ev.id = en.event_id"
        f" WHERE en.event_id IN ({marks(event_ids)}) AND NOT EXISTS"
        " (SELECT 1 FROM exchange x WHERE x.contact_id = en.contact_id)"
        " GROUP BY en.contact_id ORDER BY latest DESC, en.contact_id LIMIT ?",
        (*event_ids, most),
    )
    return [contact for contact, _ in rows]


def met_between(connection: ReadConnection, since: dt.date, until: dt.date) -> list[Met]:
    """The meetings at events from `since` to `until`, thanked for or not."""
    return _met(connection, "ev.date >= ? AND ev.date <= ?", (since.isoformat(), until.isoformat()))


def unthanked(
    connection: ReadConnection, since: dt.date, until: dt.date, with_email: bool
) -> list[Met]:
    """The meetings at events from `since` to `until` whose thank-you has not gone out (with
    with_email, only those with people you can write to)."""
    where = "ev.date >= ? AND ev.date <= ? AND en.thanked_at IS NULL"
    where += HAS_EMAIL if with_email else ""
    return _met(connection, where, (since.isoformat(), until.isoformat()))


def latest_thank_drafts(
    connection: ReadConnection, since: dt.date, until: dt.date
) -> dict[int, tuple[int, str]]:
    """The newest thank-you draft (id, state) thanking for each meeting at events from `since`
    to `until` (alone, or with other meetings), by encounter."""
    at_events = "JOIN event ev ON ev.id = en.event_id WHERE d.kind = 'thank' AND ev.date >= ?"
    rows = connection.execute(
        "SELECT en.id, d.id, d.state FROM draft d JOIN encounter en ON en.id = d.encounter_id"
        f" {at_events} AND ev.date <= ?"
        " UNION ALL SELECT en.id, d.id, d.state FROM draft_encounter de"
        " JOIN draft d ON d.id = de.draft_id JOIN encounter en ON en.id = de.encounter_id"
        f" {at_events} AND ev.date <= ?",
        (since.isoformat(), until.isoformat()) * 2,
    )
    newest: dict[int, tuple[int, str]] = {}
    for encounter, draft, state in rows:
        if encounter not in newest or draft > newest[encounter][0]:
            newest[encounter] = (draft, state)
    return newest


def topics_at(
    connection: ReadConnection,
    event_ids: Collection[int],
    contacts: Collection[int] | None = None,
) -> dict[int, list[str]]:
    """The topics of each meeting at these events (with these contacts only, if given), in
    the order entered, by encounter."""
    found: dict[int, list[str]] = defaultdict(list)
    if not event_ids or (contacts is not None and not contacts):
        return found
    where, parameters = f"en.event_id IN ({marks(event_ids)})", tuple(event_ids)
    if contacts is not None:
        where = (
            f"en.contact_id IN ({marks(contacts)}) AND {dialect_of(connection).unindexed}{where}"
        )
        parameters = (*contacts, *parameters)
    rows = connection.execute(
        "SELECT t.encounter_id, t.text FROM topic t JOIN encounter en ON en.id = t.encounter_id"
        f" WHERE {where} ORDER BY t.encounter_id, t.position",
        parameters,
    )
    for encounter, text in rows:
        found[encounter].append(text)
    return found


def last_met(connection: ReadConnection, contacts: Iterable[int]) -> dict[int, dt.date]:
    """The day of the last gathering where you met each of these contacts (if ever)."""
    found: dict[int, dt.date] = {}
    for batch in batches(contacts):
        rows = connection.execute(
            "SELECT en.contact_id, max(ev.date) FROM encounter en"
            f" JOIN event ev ON ev.id = en.event_id WHERE en.contact_id IN ({marks(batch)})"
            " GROUP BY en.contact_id",
            batch,
        )
        found.update((contact, day(on)) for contact, on in rows)
    return found
