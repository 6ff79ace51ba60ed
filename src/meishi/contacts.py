"""Contacts and the encounters with them: adding cards, listing, showing."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from meishi import meeting
from meishi.card_fields import CARD_FIELDS
from meishi.errors import BadValue, NotFound
from meishi.inputs import CardInput
from meishi.meeting import AddResult, Difference, check_card, check_emails, normalize_email
from meishi.positions import keep_past_position, moves
from meishi.store import adding
from meishi.store.adding import StoredContact
from meishi.store.resolve import raw_connection
from meishi.text import blank_to_none, split_name
from meishi.validation import check_choice

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.cards.images import KeptImage
    from meishi.cards.scanning import Scan
    from meishi.models import Event
    from meishi.store.engine import Store
    from meishi.store.sql import ReadConnection


@dataclass(frozen=True)
class ContactEdit:
    """What `contacts edit` was asked to change: new values ('' clears one but the name),
    and emails to add and to remove."""

    fields: dict[str, str] = field(default_factory=dict)
    add_emails: tuple[str, ...] = ()
    remove_emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edited:
    """What `contacts edit` changed, whether the old position was kept as history, and the
    contact's name after it."""

    changed: list[str]
    moved: bool
    name: str


# What `contacts edit` changes, in the order a form asks for it.
EDITABLE = ("name", "reading", "company", "department", "title", "phone", "note", "lang")


def add_card(session: Session, event: Event, card: CardInput, now: dt.datetime) -> AddResult:
    """Record meeting a person at an event in a writing session, as `meishi add` does."""
    result = meeting.add_met(raw_connection(session), id_of_event(event), card, now)
    session.expire(event)  # the meeting may have marked it attended, underneath the ORM
    return result


def id_of_event(event: Event) -> int:
    """The id of a stored event."""
    assert event.id is not None
    return event.id


def edit_contact(
    connection: ReadConnection, contact: StoredContact, edit: ContactEdit, now: dt.datetime
) -> Edited:
    """Change a contact's fields and emails, keeping the old position on a job change."""
    values = _checked_edit(contact, edit.fields)
    changed = [name for name, value in values.items() if value != _field_of(contact, name)]
    moved = moves(changed) and keep_past_position(connection, contact, now)
    columns = _columns({name: values[name] for name in changed})
    after = replace(contact, **columns)
    emails = _remove_emails(connection, after, edit.remove_emails)
    emails += _add_owned_emails(connection, after, check_emails(edit.add_emails))
    if changed or emails:
        adding.update_contact(connection, contact.id, columns, now)
    return Edited(changed + (["emails"] if emails else []), moved, after.full_name)


def take_card_values(
    connection: ReadConnection, contact_id: int, differs: list[Difference], now: dt.datetime
) -> Edited:
    """Give a known contact what a new card says of them, once the user has agreed."""
    contact = adding.contact_by_id(connection, contact_id)
    if contact is None:
        raise NotFound(f"contact #{contact_id} was removed meanwhile; nothing was changed")
    changes = ContactEdit({difference.name: difference.card for difference in differs})
    return edit_contact(connection, contact, changes, now)


def _checked_edit(contact: StoredContact, fields: dict[str, str]) -> dict[str, str | None]:
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


def _field_of(contact: StoredContact, name: str) -> str | None:
    """A contact's field by the name `contacts edit` gives it."""
    return contact.full_name if name == "name" else getattr(contact, name)


def _columns(values: dict[str, str | None]) -> dict[str, Any]:
    """The contact's columns that take these values: a new name is split into family and
    given names again."""
    columns = dict(values)
    name = columns.pop("name", None)
    if name is not None:
        family, given = split_name(name)
        columns.update(full_name=name, family_name=family, given_name=given)
    return columns


def _remove_emails(
    connection: ReadConnection, contact: StoredContact, emails: tuple[str, ...]
) -> int:
    """Take these emails from the contact (each must be one of theirs); how many went."""
    if not emails:
        return 0
    known = adding.emails_of(connection, contact.id)
    gone = {normalize_email(address) for address in emails}
    stray = sorted(gone - set(known))
    if stray:
        listed = ", ".join(known) or "none"
        raise BadValue(f"{stray[0]} is not an email of {contact.full_name} (theirs: {listed})")
    adding.delete_emails(connection, contact.id, sorted(gone))
    return len(gone)


def _add_owned_emails(
    connection: ReadConnection, contact: StoredContact, emails: tuple[str, ...]
) -> int:
    """Give the contact these emails unless another contact has one; how many were new."""
    owners = adding.owners_of(connection, emails)
    taken = next(((a, o) for a, o in owners.items() if o != contact.id), None)
    if taken is not None:
        address, owner = taken
        raise BadValue(
            f"{address} belongs to contact #{owner}; if they are one person: "
            f"meishi merge {contact.id} {owner}"
        )
    new = [address for address in emails if address not in owners]
    meeting.add_emails(connection, contact, emails)
    return len(new)


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

            attach(session, result.contact.id, kept, extras(scanned.fields))
        return result


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
