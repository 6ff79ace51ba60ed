"""The JSON dump's queries: the lists a contact and an encounter carry, and the contact a
restored one already is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from meishi.models import Contact, ContactEmail, Topic

if TYPE_CHECKING:
    from sqlmodel import Session


def emails_by_contact(session: Session) -> dict[int, list[str]]:
    """Every contact's email addresses, first given first, by the contact's id."""
    query = select(ContactEmail.contact_id, ContactEmail.address)
    return _grouped(session.exec(query.order_by(col(ContactEmail.position), col(ContactEmail.id))))


def topics_by_encounter(session: Session) -> dict[int, list[str]]:
    """Every encounter's topics, in the order they were entered, by the encounter's id."""
    query = select(Topic.encounter_id, Topic.text)
    return _grouped(session.exec(query.order_by(col(Topic.position), col(Topic.id))))


def contact_with_email(session: Session, addresses: Iterable[str]) -> Contact | None:
    """A contact holding one of these email addresses, or None."""
    query = select(ContactEmail.contact_id).where(col(ContactEmail.address).in_(list(addresses)))
    owner = session.exec(query).first()
    return None if owner is None else session.get(Contact, owner)


def _grouped(rows: Iterable[Any]) -> dict[int, list[str]]:
    """(parent id, text) rows as each parent's texts, in the rows' order."""
    groups: dict[int, list[str]] = {}
    for parent, text in rows:
        groups.setdefault(parent, []).append(text)
    return groups
