"""The mail sync recorded with each contact, read over the plain connection, for the
relationship rules: all of it, or only what could change what they decide."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from meishi.store.sql import ReadConnection, batches, marks, moment


@dataclass(frozen=True)
class Exchanged:
    """One mail with a contact: when (aware, UTC), who wrote ("out": you, "in": them), its
    subject and the first Message-ID of its thread."""

    contact_id: int
    when: dt.datetime
    direction: str
    subject: str = ""
    thread: str | None = None

    @property
    def day(self) -> dt.date:
        """The mail's day (UTC, as the store keeps it)."""
        return self.when.date()


@dataclass(frozen=True)
class Correspondent:
    """A contact, as a list of relationships names them."""

    id: int
    full_name: str
    company: str | None


MAIL = "SELECT contact_id, date, direction, subject, thread_root FROM exchange"
# Their mail before a day that no later mail of the same thread follows: perhaps unanswered
# (the rules also take a later mail with the same subject as an answer).
WAITING = (
    "SELECT y.contact_id FROM exchange y WHERE y.direction = 'in' AND y.date < ?"
    " AND NOT EXISTS (SELECT 1 FROM exchange z WHERE z.contact_id = y.contact_id"
    " AND z.thread_root = y.thread_root"
    " AND (z.date > y.date OR (z.date = y.date AND z.direction = 'out')))"
)
# Contacts with at least so much mail since a day: from them, or at all.
BUSY = (
    "SELECT contact_id FROM exchange WHERE date >= ? GROUP BY contact_id"
    " HAVING sum(CASE WHEN direction = 'in' THEN 1 ELSE 0 END) >= ? OR count(*) >= ?"
)


def _by_contact(
    connection: ReadConnection, where: str, parameters: tuple[object, ...]
) -> dict[int, list[Exchanged]]:
    """The mail meeting a condition, by contact, in the order recorded."""
    found: dict[int, list[Exchanged]] = defaultdict(list)
    rows = connection.execute(f"{MAIL} WHERE {where} ORDER BY contact_id, id", parameters)
    for contact, when, direction, subject, thread in rows:
        found[contact].append(Exchanged(contact, moment(when), direction, subject, thread))
    return dict(found)


def all_mail(connection: ReadConnection) -> dict[int, list[Exchanged]]:
    """Every mail recorded, by contact."""
    return _by_contact(connection, "1 = 1", ())


def mail_of_people_met(
    connection: ReadConnection, event_ids: Collection[int], since: dt.date | None = None
) -> dict[int, list[Exchanged]]:
    """The mail (from `since` on, if given) with the people met at these events, by contact."""
    if not event_ids:
        return {}
    day = () if since is None else (since.isoformat(),)
    when = "" if since is None else "date >= ? AND "
    met = _met_with_mail("e.contact_id", event_ids, since)
    return _by_contact(connection, f"{when}contact_id IN ({met})", (*day, *day, *event_ids))


def met_with_mail(
    connection: ReadConnection, event_ids: Collection[int], since: dt.date
) -> list[tuple[int, int]]:
    """(event, contact) for each person met at these events with mail from `since` on."""
    if not event_ids:
        return []
    query = _met_with_mail("e.event_id, e.contact_id", event_ids, since)
    rows = connection.execute(query, (since.isoformat(), *event_ids))
    return [(event, contact) for event, contact in rows]


def _met_with_mail(columns: str, event_ids: Collection[int], since: dt.date | None) -> str:
    """A query for the people met at these events with mail (from a day on, if given):
    those with mail first, whose meetings the index finds (there are fewer of them)."""
    when = "" if since is None else " WHERE date >= ?"
    return (
        f"SELECT DISTINCT {columns} FROM (SELECT DISTINCT contact_id FROM exchange{when}) x"
        f" JOIN encounter e ON e.contact_id = x.contact_id WHERE e.event_id IN ({marks(event_ids)})"
    )


def mail_of_busy(
    connection: ReadConnection, since: dt.date, from_them: int, at_all: int
) -> dict[int, list[Exchanged]]:
    """All the mail of the contacts who, from `since` on, wrote at least `from_them` mails or
    exchanged at least `at_all`, by contact."""
    return _by_contact(
        connection, f"contact_id IN ({BUSY})", (since.isoformat(), from_them, at_all)
    )


def mail_awaiting_reply(connection: ReadConnection, before: dt.date) -> dict[int, list[Exchanged]]:
    """All the mail of the contacts whose mail from before that day may await your answer."""
    return _by_contact(connection, f"contact_id IN ({WAITING})", (before.isoformat(),))


def correspondents(connection: ReadConnection, with_mail: bool) -> list[Correspondent]:
    """The contacts with mail recorded (or, not with_mail, those without), by id."""
    which = "" if with_mail else "NOT "
    rows = connection.execute(
        "SELECT id, full_name, company FROM contact c"
        f" WHERE {which}EXISTS (SELECT 1 FROM exchange x WHERE x.contact_id = c.id) ORDER BY id"
    )
    return [Correspondent(key, name, company) for key, name, company in rows]


def names_of(connection: ReadConnection, contacts: Iterable[int]) -> dict[int, Correspondent]:
    """These contacts' names and companies, by id."""
    found: dict[int, Correspondent] = {}
    for batch in batches(contacts):
        query = f"SELECT id, full_name, company FROM contact WHERE id IN ({marks(batch)})"
        found.update(
            (key, Correspondent(key, name, company))
            for key, name, company in connection.execute(query, batch)
        )
    return found


def mail_with(connection: ReadConnection, contact_id: int) -> list[Exchanged]:
    """The mail recorded with one contact, but for thank-yous (a timeline shows them as
    such), in the order recorded."""
    where = "contact_id = ? AND encounter_id IS NULL"
    return _by_contact(connection, where, (contact_id,)).get(contact_id, [])
