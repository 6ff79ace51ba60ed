"""Adding many new contacts at once: SQLAlchemy Core inserts, many rows to a statement.

An import adds thousands of people; through the ORM each costs about eleven statements and
their bookkeeping. Here the importer asks once per batch of cards which of their emails and
names the store already knows, and the new people go in as three executemany inserts
(contacts, their emails, an encounter at their event), inside the import's own transaction
and on either engine. The search index follows by itself: the tables' triggers note each
contact inserted, and store/index.py folds them when the import ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert, select

from meishi.models import Contact, ContactEmail, Encounter
from meishi.text import fold

if TYPE_CHECKING:
    from sqlmodel import Session, SQLModel

# A contact as duplicate detection knows it: its exact name and its company folded, the
# rule of meeting.contact_by_name (tests/test_import_bulk.py holds the two together).
NameKey = tuple[str, str]


@dataclass(frozen=True)
class NewContact:
    """A contact to add: its column values (the defaults aside), its emails in order and
    the event met at."""

    fields: dict[str, Any]
    emails: tuple[str, ...]
    event_id: int | None


def name_key(name: str, company: str | None) -> NameKey:
    """How a contact is found by name: the same name, the same company folded."""
    return name, fold(company)


def known_emails(session: Session, emails: Iterable[str]) -> set[str]:
    """Those of the emails that some contact holds."""
    column = _table(ContactEmail).c.address
    query = select(column).where(column.in_(set(emails)))
    return set(session.connection().execute(query).scalars())


def known_names(session: Session, names: Iterable[str]) -> set[NameKey]:
    """The name keys of the contacts with any of these names."""
    table = _table(Contact)
    query = select(table.c.full_name, table.c.company).where(table.c.full_name.in_(set(names)))
    return {name_key(name, company) for name, company in session.connection().execute(query)}


def insert_contacts(session: Session, people: Sequence[NewContact]) -> None:
    """Store the new contacts, their emails and their encounters, in the order given."""
    if not people:
        return
    connection = session.connection()
    contacts = _table(Contact)
    added = insert(contacts).returning(contacts.c.id, sort_by_parameter_order=True)
    fresh = _defaults(Contact(full_name=""))
    rows = [{**fresh, **person.fields} for person in people]
    ids = connection.execute(added, rows).scalars().all()
    emails = [
        {"contact_id": key, "address": address, "position": position}
        for key, person in zip(ids, people, strict=True)
        for position, address in enumerate(person.emails)
    ]
    fresh = _defaults(Encounter(contact_id=0, event_id=0))
    met = [
        {**fresh, "contact_id": key, "event_id": person.event_id}
        for key, person in zip(ids, people, strict=True)
        if person.event_id is not None
    ]
    for model, values in ((ContactEmail, emails), (Encounter, met)):
        if values:
            connection.execute(insert(_table(model)), values)


def _defaults(model: SQLModel) -> dict[str, Any]:
    """A new row's column values as the ORM would fill them (its stamps: now), but its id."""
    columns = _table(type(model)).columns
    return {column.key: getattr(model, column.key) for column in columns if column.key != "id"}


def _table(model: type[SQLModel]) -> Table:
    """The table a model is stored in."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]
