"""Find the event or contact a user means, the way people type it.

By id, then exact name, then folded as the search index folds (case, width,
spaces and kana: `ai 勉強会` finds `Tokyo AI 勉強会 #12`): a whole name, its start,
any part of it. Contacts are found by their reading too (`たなか` finds 田中).
When nothing matches, the message names the closest names.

Plain SQL on the plain connection (store/sql.py), so that fast read paths can resolve names
without loading the ORM; find_event() and find_contact() give ORM rows to writers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any, NamedTuple

from meishi import limits
from meishi.errors import Ambiguous, NotFound
from meishi.store.index import driver_of
from meishi.store.sql import Dialect, ReadConnection, dialect_of
from meishi.text import escape_like, fold, one_of
from meishi.validation import id_in

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.models import Contact, Event
    from meishi.store.events import EventRecord

MAX_LISTED = 8
MAX_CANDIDATES = 50
MAX_SUGGESTED = 3
# How alike a name must be to what was typed to be suggested (0..1, see likeness()).
SUGGEST_AT = 0.6


class Kind(NamedTuple):
    """What is resolved: where its rows are, how a candidate is labelled, what lists them."""

    table: str
    column: str  # the name
    labels: str  # the columns naming a candidate
    listing: str  # the command that lists them all
    longest: int  # the longest name it may have
    keys: str  # its folded names (and readings) as '|name|reading|'
    source: str  # the tables the keys come from
    spoken: str  # what nothing matching is compared with: id, name, folded names joined by '|'


KINDS = {
    "event": Kind(
        "event",
        "name",
        "id, name, date",
        "event list",
        limits.EVENT_FIELD_CHARS,
        "'|' || meishi_fold(name) || '|'",
        "event",
        "id, name, meishi_fold(name)",
    ),
    "contact": Kind(
        "contact",
        "full_name",
        "id, full_name, company",
        "contacts list",
        limits.NAME_CHARS,
        # The search index keeps the full, family and given names and the reading, folded.
        "'|' || coalesce(t.name, meishi_fold(full_name)) || '|'",
        "contact LEFT JOIN contact_text t ON t.id = contact.id",
        "contact.id, full_name, coalesce(t.name, meishi_fold(full_name, reading))",
    ),
}
# Folded matches, closest first: a whole name (or reading), the start of one, any part.
FOLDED_TIERS = ("'|' || ? || '|'", "'|' || ?", "?")


def event_id_named(connection: ReadConnection, text: str) -> int:
    """The id of the event named by id, name, or a unique part of it (folded)."""
    return _find(connection, "event", text)


def event_named(connection: ReadConnection, text: str) -> EventRecord:
    """The event named by id, name, or a unique part of it, as the plain connection reads it."""
    from meishi.store.events import event_of

    return event_of(connection, event_id_named(connection, text))


def contact_id_named(connection: ReadConnection, text: str) -> int:
    """The id of the contact named by id, email, name, reading, or a unique part of one."""
    if "@" in text and len(text) <= limits.EMAIL_CHARS:
        row = connection.execute(
            f"SELECT contact_id FROM contactemail WHERE address {dialect_of(connection).like} ? "
            "ESCAPE '\\'",
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


def raw_connection(session: Session) -> ReadConnection:
    """The plain connection under a session, inside the session's transaction, with what the
    session holds flushed first, so that plain statements see it (and rows they refer to)."""
    session.flush()
    return driver_of(session.connection())  # type: ignore[no-any-return]


def _find(connection: ReadConnection, kind: str, text: str) -> int:
    """Resolve text against one table: id, exact name, then folded whole, start, part."""
    found = KINDS[kind]
    text = text.strip()
    key = id_in(text)
    if key is not None:
        row = connection.execute(f"SELECT id FROM {found.table} WHERE id = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
    # No name is longer than its limit (and SQLite refuses a LIKE pattern of 50,000 bytes).
    needle = fold(text).replace("|", "") if len(text) <= found.longest else ""
    for where, value in _tiers(dialect_of(connection), kind, text, needle):
        rows = _candidates(connection, kind, where, value)
        if len(rows) == 1:
            return int(rows[0][0])
        if rows:
            raise Ambiguous(_ambiguous_message(kind, text, rows))
    suggested = _suggestions(connection, kind, needle) if needle else []
    raise NotFound(_not_found_message(text, kind, found.listing, suggested))


def _tiers(dialect: Dialect, kind: str, text: str, needle: str) -> list[tuple[str, str]]:
    """The (condition, value) pairs to try in turn, closest match first."""
    if not needle:
        return []
    found = KINDS[kind]
    exact = (f"{found.column} {dialect.like} ? ESCAPE '\\'", escape_like(text))
    folded = (dialect.contains.format(found.keys, tier) for tier in FOLDED_TIERS)
    return [exact, *((where, needle) for where in folded)]


def _candidates(connection: ReadConnection, kind: str, where: str, value: str) -> list[Any]:
    """The rows (labels first) of one kind meeting a condition, oldest first."""
    found = KINDS[kind]
    columns = ", ".join(f"{found.table}.{name}" for name in found.labels.split(", "))
    query = f"SELECT {columns} FROM {found.source} WHERE {where} ORDER BY {found.table}.id LIMIT ?"
    rows: list[Any] = connection.execute(query, (value, MAX_CANDIDATES)).fetchall()
    return rows


def _suggestions(connection: ReadConnection, kind: str, needle: str) -> list[str]:
    """The names closest to what was typed, as labels to suggest."""
    found = KINDS[kind]
    rows = connection.execute(f"SELECT {found.spoken} FROM {found.source}")
    return [f"'{name[:60]}' (#{key})" for key, name in closest(needle, _spoken_names(rows))]


def _spoken_names(rows: Iterable[Sequence[str]]) -> Iterator[tuple[int, str, str]]:
    """(id, name, folded) for each folded name (or reading) of each row."""
    for key, name, keys in rows:
        for folded in keys.split("|"):
            yield int(key), name, folded


def closest(needle: str, names: Iterable[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """The (id, name) of the few names most like the needle, given (id, name, folded name)."""
    scores: dict[int, tuple[float, str]] = {}
    alike = Likeness(needle)
    for key, name, folded in names:
        score = alike.score(folded)
        if score >= SUGGEST_AT and score > scores.get(key, (0.0, ""))[0]:
            scores[key] = (score, name)
    best = sorted(scores.items(), key=lambda item: (-item[1][0], item[0]))[:MAX_SUGGESTED]
    return [(key, name) for key, (_, name) in best]


class Likeness:
    """How alike names are to one folded needle, from 0 to 1.

    How much of the needle a name holds, in order, averaged with how alike the two are
    as wholes: a typo inside a long name still counts, a short common part does not.
    """

    def __init__(self, needle: str) -> None:
        self.needle = needle
        self.counts = Counter(needle)
        self.matcher = SequenceMatcher(autojunk=False)
        self.matcher.set_seq2(needle)  # its analysis is kept; each name is compared with it

    def score(self, folded: str) -> float:
        """How alike a folded name is to the needle."""
        # Most names share few characters with the needle: that bound rules them out cheaply.
        shared = sum(count for char, count in self.counts.items() if char in folded)
        if self._of(shared, folded) < SUGGEST_AT:
            return 0.0
        self.matcher.set_seq1(folded)
        return self._of(sum(block.size for block in self.matcher.get_matching_blocks()), folded)

    def _of(self, held: int, folded: str) -> float:
        """The likeness of a name holding this many of the needle's characters in order."""
        return (held / len(self.needle) + 2 * held / (len(folded) + len(self.needle))) / 2


def _not_found_message(text: str, kind: str, listing: str, suggested: list[str]) -> str:
    """One line: nothing matched, the closest names if any, and where to look."""
    if not suggested:
        return f"no {kind} matches '{text[:80]}'; see `meishi {listing}`"
    return (
        f"no {kind} matches '{text[:80]}'; did you mean {one_of(suggested)}? See `meishi {listing}`"
    )


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
