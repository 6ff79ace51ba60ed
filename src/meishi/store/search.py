"""Finding and listing contacts fast: plain SQL over the search index, no ORM.

`meishi search` and `meishi contacts list` are typed many times a day, so they
read through store/reader.py (the run's reader()) and never import SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from meishi.card_fields import COLUMN, card_fields
from meishi.errors import BadValue
from meishi.limits import ID_MAX
from meishi.store.sql import POSTGRESQL, SQLITE, Dialect, ReadConnection, dialect_of
from meishi.text import escape_like, fold

if TYPE_CHECKING:
    from sqlmodel import Session

# Index columns, best match first: a name or company match ranks before a note match.
RANKED_COLUMNS = ("name", "org", "email", "topics", "events", "note")
# Card fields shown by listings and --json, beside id, name and emails.
CARD_COLUMNS = card_fields(COLUMN)
# The trigram index (FTS5's, pg_trgm's) answers queries of three characters or more; on
# PostgreSQL, an index of characters shorter ones (SQLite scans for them).
TRIGRAM = 3


def _select_cards(dialect: Dialect, extra: str = "") -> str:
    """SQL selecting the card columns and emails of contacts `c` (plus extra columns)."""
    emails = dialect.joined.format("address")
    return (
        "SELECT c.id, c.full_name, "
        + ", ".join(f"c.{name}" for name in CARD_COLUMNS)
        + f", (SELECT {emails} FROM (SELECT address FROM contactemail"
        " WHERE contact_id = c.id ORDER BY position) m) AS emails" + extra + " FROM contact c"
    )


class Page(NamedTuple):
    """Some contacts, read as they are consumed, and how many there are in all."""

    rows: Iterator[dict[str, Any]]
    total: int


def card_json(values: dict[str, Any], emails: list[str]) -> dict[str, Any]:
    """A contact's card as JSON-ready values: the one shape every listing uses."""
    card = {"id": values["id"], "name": values["full_name"]}
    card.update({name: values[name] for name in CARD_COLUMNS})
    card["emails"] = emails
    return card


def _card(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A card from a row that _select_cards() selected."""
    emails = row["emails"].split("\x1f") if row["emails"] else []
    return card_json(dict(row), emails)


def card_of(connection: ReadConnection, contact_id: int) -> dict[str, Any]:
    """One contact's card (known to exist), in the shape every listing uses."""
    query = f"{_select_cards(dialect_of(connection))} WHERE c.id = ?"
    return _card(connection.execute(query, (contact_id,)).fetchone())


def all_cards_in(session: Session) -> Iterator[dict[str, Any]]:
    """Every contact's card, oldest first, read through a session (what exports read)."""
    from sqlalchemy import text

    bind = session.get_bind()
    dialect = SQLITE if bind.dialect.name == "sqlite" else POSTGRESQL
    rows = session.execute(text(f"{_select_cards(dialect)} ORDER BY c.id"))
    return (_card(row._mapping) for row in rows)


def newest(connection: ReadConnection, event_id: int | None, limit: int | None) -> Page:
    """Contacts, newest first (only those met at one event, if given)."""
    dialect = dialect_of(connection)
    where, params = ("", []) if event_id is None else (f"WHERE c.id {_MET_AT}", [event_id])
    total = connection.execute(f"SELECT count(*) FROM contact c {where}", params).fetchone()[0]
    query = f"{_select_cards(dialect)} {where} ORDER BY c.id DESC LIMIT ?"
    rows = connection.execute(query, [*params, _sql_limit(dialect, limit)])
    return Page(map(_card, rows), total)


def _sql_limit(dialect: Dialect, limit: int | None) -> int | None:
    """LIMIT's value: none for no limit or one beyond what any table can hold."""
    return dialect.no_limit if limit is None or limit > ID_MAX else limit


_MET_AT = "IN (SELECT contact_id FROM encounter WHERE event_id = ?)"


def _match(dialect: Dialect, needle: str) -> tuple[str, str, list[str]]:
    """Where the needle is looked for: (tables, condition, its parameters)."""
    short = len(needle) < TRIGRAM
    if dialect is SQLITE:
        if short:  # too short for FTS5's trigrams: one pass over the folded text
            return "contact_text t", dialect.contains.format("t.doc", "?"), [needle]
        source = "contact_search s JOIN contact_text t ON t.id = s.rowid"
        return source, "contact_search MATCH ?", ['"' + needle.replace('"', '""') + '"']
    if short:  # too short for pg_trgm's: the contacts holding each of its characters
        return "contact_text t", _HOLDING, [needle, needle]
    # pg_trgm's index serves LIKE; '|' parts the columns, as FTS5's columns are apart.
    return "contact_text t", "t.doc LIKE ?", [f"%{escape_like(needle)}%"]


# The index of each contact's characters (migration 0018) gives the contacts holding every
# character of the needle; strpos keeps those holding the needle itself.
_HOLDING = POSTGRESQL.contains.format("t.doc", "?") + " AND meishi_chars(t.doc) @> meishi_chars(?)"


def search(
    connection: ReadConnection, text: str, limit: int | None, event_id: int | None = None
) -> Page:
    """Contacts matching text anywhere, best-ranked first (then newest first)."""
    needle = fold(text)
    if not needle:
        raise BadValue("the search text is empty; give part of a name, company, topic...")
    dialect = dialect_of(connection)
    source, match, params = _match(dialect, needle)
    tiers = " ".join(
        f"WHEN {dialect.contains.format(f't.{c}', '?')} THEN {n}"
        for n, c in enumerate(RANKED_COLUMNS)
    )
    met = "" if event_id is None else f" AND t.id {_MET_AT}"
    # Each match's rank first, alone: the count and the sort then hold (id, tier), not the
    # texts ranked (22,000 matches of 100,000 spilled to disk on PostgreSQL).
    ranked = (
        f"SELECT t.id AS id, CASE {tiers} ELSE {len(RANKED_COLUMNS)} END AS tier "
        f"FROM {source} WHERE {match}{met}{dialect.apart}"
    )
    found = (
        f"SELECT id, tier, count(*) OVER () AS total FROM ({ranked}) r "
        "ORDER BY tier, id DESC LIMIT ?"
    )
    values = [needle] * len(RANKED_COLUMNS) + params + ([event_id] if event_id is not None else [])
    query = (
        f"{_select_cards(dialect, ', f.total')} JOIN ({found}) f ON f.id = c.id "
        "ORDER BY f.tier, c.id DESC"
    )
    rows = connection.execute(query, [*values, _sql_limit(dialect, limit)]).fetchall()
    total = rows[0]["total"] if rows else 0
    return Page(map(_card, rows), total)
