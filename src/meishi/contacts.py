"""Contacts and the encounters with them: adding cards, listing, showing."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from meishi import meeting
from meishi.errors import BadValue, NotFound
from meishi.inputs import CARD_FIELDS, CardInput
from meishi.meeting import AddResult, Difference, check_card, check_emails, normalize_email
from meishi.models import Contact, ContactEmail, Encounter, Event, Topic, id_of, in_utc
from meishi.positions import keep_past_position, moves
from meishi.store.adding import StoredContact
from meishi.store.resolve import raw_connection
from meishi.text import blank_to_none, split_name
from meishi.validation import check_choice

if TYPE_CHECKING:
    from meishi.cards.images import KeptImage
    from meishi.cards.scanning import Scan
    from meishi.store.engine import Store


@dataclass(frozen=True)
class ContactEdit:
    """What `contacts edit` was asked to change: new values ('' clears one but the name),
    and emails to add and to remove."""

    fields: dict[str, str] = field(default_factory=dict)
    add_emails: tuple[str, ...] = ()
    remove_emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edited:
    """What `contacts edit` changed, and whether the old position was kept as history."""

    changed: list[str]
    moved: bool


# What `contacts edit` changes, in the order a form asks for it.
EDITABLE = ("name", "reading", "company", "department", "title", "phone", "note", "lang")


def add_card(session: Session, event: Event, card: CardInput, now: dt.datetime) -> AddResult:
    """Record meeting a person at an event in a writing session, as `meishi add` does."""
    result = meeting.add_met(raw_connection(session), id_of(event), card, now)
    session.expire(event)  # the meeting may have marked it attended, underneath the ORM
    return result


def edit_contact(session: Session, contact: Contact, edit: ContactEdit, now: dt.datetime) -> Edited:
    """Change a contact's fields and emails, keeping the old position on a job change."""
    values = _checked_edit(contact, edit.fields)
    changed = [name for name, value in values.items() if value != _field_of(contact, name)]
    moved = moves(changed) and keep_past_position(session, contact, now)
    for name in changed:
        _set_field(contact, name, values[name])
    emails = _remove_emails(session, contact, edit.remove_emails)
    emails += _add_owned_emails(session, contact, check_emails(edit.add_emails))
    if changed or emails:
        contact.updated_at = in_utc(now)
    session.flush()
    return Edited(changed + (["emails"] if emails else []), moved)


def take_card_values(
    store: Store, contact_id: int, differs: list[Difference], now: dt.datetime
) -> Edited:
    """Give a known contact what a new card says of them, once the user has agreed."""
    with store.write() as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"contact #{contact_id} was removed meanwhile; nothing was changed")
        changes = ContactEdit({difference.name: difference.card for difference in differs})
        return edit_contact(session, contact, changes, now)


def _checked_edit(contact: Contact, fields: dict[str, str]) -> dict[str, str | None]:
    """The new values, checked as `add` checks a card (the contact's note as a note)."""
    for name in fields:
        check_choice(name, EDITABLE, "field")
    current = CardInput(
        name=contact.full_name,
        note=contact.note,
        **{name: getattr(contact, name) for name in CARD_FIELDS},
    )
    given: dict[str, Any] = {name: blank_to_none(value) for name, value in fields.items()}
    if "name" in given and given["name"] is None:
        raise BadValue("the name cannot be empty; give the new name")
    card = check_card(replace(current, **given))
    return {name: getattr(card, name) for name in fields}


def _field_of(contact: Contact, name: str) -> str | None:
    """A contact's field by the name `contacts edit` gives it."""
    return contact.full_name if name == "name" else getattr(contact, name)


def _set_field(contact: Contact, name: str, value: str | None) -> None:
    """Set one field; a new name is split into family and given names again."""
    if name == "name" and value is not None:
        contact.full_name = value
        contact.family_name, contact.given_name = split_name(value)
    else:
        setattr(contact, name, value)


def _remove_emails(session: Session, contact: Contact, emails: tuple[str, ...]) -> int:
    """Take these emails from the contact (each must be one of theirs); how many went."""
    if not emails:
        return 0
    known = emails_of(session, contact)
    gone = {normalize_email(address) for address in emails}
    stray = sorted(gone - set(known))
    if stray:
        listed = ", ".join(known) or "none"
        raise BadValue(f"{stray[0]} is not an email of {contact.full_name} (theirs: {listed})")
    query = select(ContactEmail).where(ContactEmail.contact_id == contact.id)
    rows = session.exec(query.order_by(col(ContactEmail.position))).all()
    for row in rows:
        if row.address in gone:
            session.delete(row)
    for position, row in enumerate(row for row in rows if row.address not in gone):
        row.position = position
    session.flush()
    return len(gone)


def _add_owned_emails(session: Session, contact: Contact, emails: tuple[str, ...]) -> int:
    """Give the contact these emails unless another contact has one; how many were new."""
    query = select(ContactEmail).where(
        col(ContactEmail.address).in_(emails), ContactEmail.contact_id != contact.id
    )
    taken = session.exec(query).first()
    if taken is not None:
        raise BadValue(
            f"{taken.address} belongs to contact #{taken.contact_id}; if they are one person: "
            f"meishi merge {contact.id} {taken.contact_id}"
        )
    before = len(emails_of(session, contact))
    stored = StoredContact(id_of(contact), contact.full_name)
    meeting.add_emails(raw_connection(session), stored, emails)
    return len(emails_of(session, contact)) - before


def emails_of(session: Session, contact: Contact) -> list[str]:
    """The contact's emails, first given first."""
    query = (
        select(ContactEmail.address)
        .where(ContactEmail.contact_id == contact.id)
        .order_by(col(ContactEmail.position))
    )
    return list(session.exec(query).all())


def topics_of(session: Session, encounter: Encounter) -> list[str]:
    """The topics of an encounter, in the order they were entered."""
    query = (
        select(Topic.text).where(Topic.encounter_id == encounter.id).order_by(col(Topic.position))
    )
    return list(session.exec(query).all())


def encounters_of(session: Session, contact: Contact) -> list[tuple[Encounter, Event]]:
    """The contact's encounters with their events, most recent first."""
    query = (
        select(Encounter, Event)
        .join(Event, col(Event.id) == col(Encounter.event_id))
        .where(Encounter.contact_id == contact.id)
        .order_by(col(Event.date).desc(), col(Event.id).desc())
    )
    return [(encounter, event) for encounter, event in session.exec(query).all()]


def add_met(
    store: Store,
    event_id: int,
    card: CardInput,
    now: dt.datetime,
    data_dir: Path,
    scanned: Scan | None = None,
    force: bool = False,
) -> AddResult:
    """Store a card met at an event, with the image it was read from, in one write; the image
    file lands in cards/ of the data folder only after the write has committed."""
    with _image_kept(scanned, data_dir, store.location.on_server) as kept, store.write() as session:
        result = meeting.add_met(raw_connection(session), event_id, card, now, force)
        if scanned is not None and kept is not None:
            from meishi.cards.images import attach, extras

            attach(session, _get_contact(session, result.contact.id), kept, extras(scanned.fields))
        return result


def _get_contact(session: Session, contact_id: int) -> Contact:
    """A contact by id, known to exist."""
    contact = session.get(Contact, contact_id)
    assert contact is not None
    return contact


def _image_kept(
    scanned: Scan | None, data_dir: Path, on_server: bool
) -> AbstractContextManager[KeptImage | None]:
    """Where a scanned card's image is kept (in cards/ once the write commits, and in the
    store itself when it is on a server, for every machine); none for a card typed in,
    which then never imports the image code."""
    if scanned is None:
        return nullcontext(None)
    from meishi.cards.images import kept_image

    return kept_image(scanned.path, data_dir, on_server)
