"""The meetings as `event show` and `contacts show` list them: who was met where, the note,
and where each thank-you stands; a contact's topics. Plain records over the plain connection
(the agenda's reads of meetings, and the topics at events, are in store/meetings.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple

from meishi.store.sql import ReadConnection, day, moment

# The first thank-you draft for a meeting, as the thank-you state names it.
_THANK_DRAFT = "(SELECT min(d.id) FROM draft d WHERE d.encounter_id = e.id AND d.kind = 'thank')"
_HAS_EMAIL = "EXISTS (SELECT 1 FROM contactemail m WHERE m.contact_id = c.id)"
_MEETINGS = (
    "SELECT e.id, e.note, e.thanked_at, "
    + _THANK_DRAFT
    + ", "
    + _HAS_EMAIL
    + ", c.id, c.full_name, c.company, v.id, v.name, v.date"
    " FROM encounter e JOIN contact c ON c.id = e.contact_id JOIN event v ON v.id = e.event_id"
)


class Meeting(NamedTuple):
    """A contact met at an event, the first thank-you draft for it, and whether the contact
    has an email to thank them at."""

    id: int
    note: str | None
    thanked_at: dt.datetime | None
    draft_id: int | None
    has_email: bool
    contact_id: int
    contact_name: str
    company: str | None
    event_id: int
    event_name: str
    event_date: dt.date


def _meeting(row: Any) -> Meeting:
    """A Meeting from a row of _MEETINGS."""
    key, note, thanked, draft, has_email, contact, name, company, event, title, on = row
    thanked_at = None if thanked is None else moment(thanked)
    return Meeting(
        key, note, thanked_at, draft, bool(has_email), contact, name, company, event, title, day(on)
    )


def meetings_at(connection: ReadConnection, event_id: int) -> list[Meeting]:
    """The people met at an event, in the order they were recorded."""
    rows = connection.execute(f"{_MEETINGS} WHERE e.event_id = ? ORDER BY e.id", (event_id,))
    return [_meeting(row) for row in rows]


def meetings_of(connection: ReadConnection, contact_id: int) -> list[Meeting]:
    """A contact's meetings, the most recent event first."""
    query = f"{_MEETINGS} WHERE e.contact_id = ? ORDER BY v.date DESC, v.id DESC"
    return [_meeting(row) for row in connection.execute(query, (contact_id,))]


def topics_with(connection: ReadConnection, contact_id: int) -> dict[int, list[str]]:
    """The topics of each of a contact's meetings, in the order entered, by meeting: one
    query, however many meetings."""
    rows = connection.execute(
        "SELECT t.encounter_id, t.text FROM topic t JOIN encounter e ON e.id = t.encounter_id"
        " WHERE e.contact_id = ? ORDER BY t.encounter_id, t.position, t.id",
        (contact_id,),
    )
    topics: dict[int, list[str]] = defaultdict(list)
    for meeting, text in rows:
        topics[meeting].append(text)
    return topics
