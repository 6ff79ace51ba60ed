"""The mail sync recorded with each contact, read over the plain connection, for the
relationship rules: counted in SQL, one Tally a contact, for the states; the mail itself
where the rules read it (a reply to answer, a contact's timeline), only what could change
what they decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from typing import Any, NamedTuple

from meishi.store.sql import ReadConnection, batches, days_of, dialect_of, marks, moment


class Exchanged(NamedTuple):
    """One mail with a contact: when (aware, UTC), who wrote ("out": you, "in": them), its
    subject and the first Message-ID of its thread (a named tuple: `todo` reads thousands)."""

    contact_id: int
    when: dt.datetime
    direction: str
    subject: str = ""
    thread: str | None = None

    @property
    def day(self) -> dt.date:
        """The mail's day (UTC, as the store keeps it)."""
        return self.when.date()


class Correspondent(NamedTuple):
    """A contact, as a list of relationships names them."""

    id: int
    full_name: str
    company: str | None


class Counts(NamedTuple):
    """The mail with one contact counted for its state (relationships/rules.py, Counted): the
    mails each way from one day on, and from another the days on which they wrote and how
    many times who writes changed (in order of time, theirs first at one moment). A named
    tuple: thousands are made at once."""

    contact_id: int
    sent: int
    received: int
    reply_days: int
    turns: int


class Tally(NamedTuple):
    """Counts with the last mail's day and who wrote it ("out": you, "in": them; yours, when
    both wrote at that moment), for the relationship rules (relationships/rules.py,
    Tallied). A named tuple: thousands are made at once."""

    contact_id: int
    last_day: dt.date
    last_direction: str
    sent: int
    received: int
    reply_days: int
    turns: int


MAIL = "SELECT contact_id, date, direction, subject, thread_root FROM exchange"
# Their mail before a day that no later mail of the same thread follows: perhaps unanswered
# (the rules also take a later mail with the same subject as an answer). Read in the table's
# order ({0}: Dialect.unindexed): nearly all mail is older than the day, and through the index
# of dates SQLite took four times as long.
WAITING = (
    "SELECT y.contact_id, y.date FROM exchange y WHERE y.direction = 'in' AND {0}y.date < ?"
    " AND NOT EXISTS (SELECT 1 FROM exchange z WHERE z.contact_id = y.contact_id"
    " AND z.thread_root = y.thread_root"
    " AND (z.date > y.date OR (z.date = y.date AND z.direction = 'out')))"
)
# The mail of each contact from their first mail that may await an answer ({0}: WAITING) on,
# in the order recorded (a third of all their mail, in the benchmark's store), with their
# name and company: joined here, a few ms less than a query by id after it at 100k.
AWAITING = (
    "WITH w AS (SELECT contact_id, min(date) AS since FROM ({0}) y GROUP BY contact_id)"
    " SELECT x.contact_id, x.date, x.direction, x.subject, x.thread_root, c.full_name,"
    " c.company FROM w JOIN contact c ON c.id = w.contact_id"
    " JOIN exchange x ON x.contact_id = w.contact_id AND x.date >= w.since"
    " ORDER BY x.contact_id, x.id"
)
# Contacts with at least so much mail since a day: from them, or at all.
BUSY = (
    "SELECT contact_id FROM exchange WHERE date >= ? GROUP BY contact_id"
    " HAVING sum(CASE WHEN direction = 'in' THEN 1 ELSE 0 END) >= ? OR count(*) >= ?"
)

# The counts of Counts and Tally but the turns; parameters: the first day of the sent and
# received counts (twice), the first day of the days they wrote. Dates compare as the store
# keeps them (ISO text on SQLite), none is parsed; FILTER (both engines) took a fifth less
# than CASE on SQLite.
COUNTED = (
    "count(*) FILTER (WHERE direction = 'out' AND date >= ?) AS sent,"
    " count(*) FILTER (WHERE direction = 'in' AND date >= ?) AS received,"
    " count(DISTINCT date(date)) FILTER (WHERE direction = 'in' AND date >= ?) AS reply_days"
)
# The columns of Counts but turns, by contact, for the mail meeting a condition.
COUNTS = f"SELECT contact_id, {COUNTED} FROM exchange WHERE {{where}} GROUP BY contact_id"
# Those of Tally: the last mail's day and writer took ~10 of its 23 ms at 100k on SQLite,
# so only the questions that show them ask for them.
TALLY = (
    "SELECT contact_id, date(max(date)) AS last_day,"
    " CASE WHEN max(date) FILTER (WHERE direction = 'out') = max(date)"
    f" THEN 'out' ELSE 'in' END AS last_direction, {COUNTED}"
    " FROM exchange WHERE {where} GROUP BY contact_id"
)
# Who wrote each mail from a day on, by contact, in order of time (theirs first at one moment):
# the turns, counted as the rows come (a window function, lag(), took twice as long on SQLite).
WRITERS = (
    "SELECT contact_id, direction FROM exchange WHERE date >= ? AND {where}"
    " ORDER BY contact_id, date, direction"
)


class Condition(NamedTuple):
    """Which mail is counted: an SQL condition on exchange, with its parameters."""

    where: str
    parameters: tuple[object, ...] = ()


ALL_MAIL = Condition("1 = 1")


def _counted_rows(
    connection: ReadConnection,
    query: str,
    windows: tuple[dt.date, dt.date],
    mail: Condition,
    outer: str = "{}",
    outer_parameters: tuple[object, ...] = (),
) -> tuple[list[Any], dict[int, int]]:
    """The rows of COUNTS or TALLY (`query`) for the mail meeting a condition, counted over
    `windows` (the first days of the sent and received counts, and of the days they wrote
    and the turns), in a query around it (`outer`, {} standing for it: its columns first);
    and the turns of each contact who has any."""
    counted, turning = (day.isoformat() for day in windows)
    rows = connection.execute(
        outer.format(query.format(where=mail.where)),
        (counted, counted, turning, *mail.parameters, *outer_parameters),
    ).fetchall()
    turns: dict[int, int] = {}
    before, wrote = None, None
    for contact, direction in connection.execute(
        WRITERS.format(where=mail.where), (turning, *mail.parameters)
    ):
        if contact == before and direction != wrote:
            turns[contact] = turns.get(contact, 0) + 1
        before, wrote = contact, direction
    return rows, turns


def _tally_rows(
    connection: ReadConnection,
    windows: tuple[dt.date, dt.date],
    outer: str = "{}",
    mail: Condition = ALL_MAIL,
) -> Iterator[tuple[Tally, Any]]:
    """Each contact's Tally for the mail meeting a condition, with the rest of its row in a
    query around TALLY (`outer`: see _counted_rows)."""
    rows, turns = _counted_rows(connection, TALLY, windows, mail, outer)
    as_day = days_of(connection)
    for contact, last, writer, sent, received, days, *rest in rows:
        turned = turns.get(contact, 0)
        yield Tally(contact, as_day(last), writer, sent, received, days, turned), rest


def correspondents_tallied(
    connection: ReadConnection, windows: tuple[dt.date, dt.date]
) -> list[tuple[Correspondent, Tally]]:
    """Every contact with mail, named, with their Tally."""
    outer = "SELECT t.*, c.full_name, c.company FROM ({}) t JOIN contact c ON c.id = t.contact_id"
    return [
        (Correspondent(tally.contact_id, name, company), tally)
        for tally, (name, company) in _tally_rows(connection, windows, outer)
    ]


def counts_of_people_met(
    connection: ReadConnection,
    event_ids: Collection[int],
    windows: tuple[dt.date, dt.date],
    since: dt.date | None = None,
) -> tuple[dict[int, Counts], list[tuple[int, int]]]:
    """The Counts of each person met at these events with mail (from `since` on, if given:
    the mail before it is not counted), by contact; and (event, contact) for each of their
    meetings there. Each contact with mail is looked up among the people met, by the index of
    contacts alone (through the one of contacts and events, SQLite looked up every pair of
    contact and event: 150 ms for 100 events at 100k contacts)."""
    if not event_ids:
        return {}, []
    mail = ALL_MAIL if since is None else Condition("date >= ?", (since.isoformat(),))
    outer = (
        "SELECT t.*, e.event_id FROM ({}) t JOIN encounter e ON e.contact_id = t.contact_id"
        f" WHERE {dialect_of(connection).unindexed}e.event_id IN ({marks(event_ids)})"
    )
    rows, turns = _counted_rows(connection, COUNTS, windows, mail, outer, tuple(event_ids))
    counts: dict[int, Counts] = {}
    met = []
    for contact, sent, received, days, event in rows:
        if contact not in counts:  # the same for each meeting
            counts[contact] = Counts(contact, sent, received, days, turns.get(contact, 0))
        met.append((event, contact))
    return counts, met


def tallies_of_busy(
    connection: ReadConnection,
    windows: tuple[dt.date, dt.date],
    since: dt.date,
    from_them: int,
    at_all: int,
) -> dict[int, Tally]:
    """The Tally of each contact who, from `since` on, wrote at least `from_them` mails or
    exchanged at least `at_all`, by contact."""
    busy = Condition(f"contact_id IN ({BUSY})", (since.isoformat(), from_them, at_all))
    return {tally.contact_id: tally for tally, _ in _tally_rows(connection, windows, mail=busy)}


def _exchanged(
    contact: int, when: Any, direction: str, subject: str, thread: str | None
) -> Exchanged:
    """One mail from a row of MAIL's columns."""
    return Exchanged(contact, moment(when), direction, subject, thread)


def mail_awaiting_reply(
    connection: ReadConnection, before: dt.date
) -> dict[Correspondent, list[Exchanged]]:
    """The contacts whose mail from before that day may await your answer, named, each with
    their mail from the first such mail on (what came before answers none of it)."""
    waiting = WAITING.format(dialect_of(connection).unindexed)
    found: dict[Correspondent, list[Exchanged]] = {}
    mails: list[Exchanged] = []
    for *mail, name, company in connection.execute(AWAITING.format(waiting), (before.isoformat(),)):
        contact = mail[0]
        if not mails or mails[-1].contact_id != contact:  # the rows come contact by contact
            mails = found.setdefault(Correspondent(contact, name, company), [])
        mails.append(_exchanged(*mail))
    return found


def without_mail(connection: ReadConnection) -> list[Correspondent]:
    """The contacts with no mail recorded, by id."""
    rows = connection.execute(
        "SELECT id, full_name, company FROM contact c"
        " WHERE NOT EXISTS (SELECT 1 FROM exchange x WHERE x.contact_id = c.id) ORDER BY id"
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
    query = f"{MAIL} WHERE contact_id = ? AND encounter_id IS NULL ORDER BY id"
    return [_exchanged(*row) for row in connection.execute(query, (contact_id,))]
