"""Contacts and the encounters with them: adding cards, listing, showing."""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from meishi import limits
from meishi.cards.companies import full_company_name
from meishi.errors import BadValue, NotFound
from meishi.inputs import CARD_FIELDS, CARD_TEXTS, LANGUAGES, CardInput
from meishi.mail import message as mail
from meishi.models import Contact, ContactEmail, Encounter, Event, Topic, id_of, in_utc
from meishi.positions import keep_past_position, moves
from meishi.text import blank_to_none, fold, split_name
from meishi.validation import (
    check_chars,
    check_choice,
    check_count,
    check_text,
    optional_text,
    required_text,
)

if TYPE_CHECKING:
    from meishi.cards.images import KeptImage
    from meishi.cards.scanning import Scan
    from meishi.store.engine import Store


@dataclass
class AddResult:
    """What `add_card` did."""

    contact: Contact
    encounter: Encounter
    created: bool
    filled: list[str] = field(default_factory=list)
    new_topics: int = 0
    differs: list[Difference] = field(default_factory=list)
    in_full: str | None = None  # "(株)サンプル → 株式会社サンプル" when the card abbreviated it


@dataclass(frozen=True)
class Difference:
    """A field a card gives otherwise than the known contact has it (kept as it was)."""

    name: str
    known: str
    card: str


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


def normalize_email(address: str) -> str:
    """A checked address, lower-cased so the same mailbox is one contact."""
    address = check_text(address, "email", limits.EMAIL_CHARS)
    return mail.check_email(address).lower()


def check_card(card: CardInput) -> CardInput:
    """The card with its fields validated and emails normalized."""
    name = required_text(card.name, "name", limits.NAME_CHARS)
    texts = {key: optional_text(getattr(card, key), key, most) for key, most in CARD_TEXTS.items()}
    if texts["company"]:  # as printed on cards, (株) or ㈱; letters write it in full
        texts["company"] = full_company_name(texts["company"])
    if card.lang is not None:
        check_choice(card.lang, LANGUAGES, "language")
    emails, topics = check_emails(card.emails), check_topics(card.topics)
    note = optional_text(card.note, "note", limits.NOTE_CHARS, lines=True)
    return replace(card, name=name, emails=emails, topics=topics, note=note, **texts)


def company_in_full(card: CardInput) -> str | None:
    """ "(株)サンプル → 株式会社サンプル" when the card's company abbreviates its legal form."""
    printed = (card.company or "").strip()
    full = full_company_name(printed)
    return f"{printed} → {full}" if full != printed else None


def check_emails(emails: Iterable[str]) -> tuple[str, ...]:
    """A card's emails checked and normalized, each once, no more than a contact may hold."""
    given = dict.fromkeys(check_chars(e, "email").strip() for e in emails)
    given.pop("", None)
    check_count(len(given), limits.EMAILS_PER_CONTACT, "emails", "the card")  # before each check
    return tuple(dict.fromkeys(normalize_email(e) for e in given))


def check_topics(topics: Iterable[str]) -> tuple[str, ...]:
    """The topics of a meeting checked, each once, no more than a meeting may hold."""
    checked = dict.fromkeys(check_text(topic, "topic", limits.TOPIC_CHARS) for topic in topics)
    checked.pop("", None)
    check_count(len(checked), limits.TOPICS_PER_ENCOUNTER, "topics", "the meeting")
    return tuple(checked)


def add_card(session: Session, event: Event, card: CardInput, now: dt.datetime) -> AddResult:
    """Record meeting a person at an event, merging with a contact who has the same email."""
    from meishi.attendance.changes import attended_by_meeting

    in_full, card = company_in_full(card), check_card(card)
    attended_by_meeting(session, event, now)
    contact, created, filled = upsert_contact(session, card, now, by_name=False)
    encounter = _encounter(session, contact, event, card.note)
    new_topics = _add_topics(session, encounter, card.topics)
    differs = [] if created else differences(contact, card)
    return AddResult(contact, encounter, created, filled, new_topics, differs, in_full)


def differences(contact: Contact, card: CardInput) -> list[Difference]:
    """The card's fields that the known contact has otherwise (both given, not the same)."""
    found = []
    for name in CARD_FIELDS:
        known, given = getattr(contact, name), blank_to_none(getattr(card, name))
        if known and given and known != given:
            found.append(Difference(name, known, given))
    return found


def kept_values(differs: list[Difference]) -> str:
    """The fields kept as they were, with what the card said instead."""
    return ", ".join(f"{d.name} '{d.known}' (the card says '{d.card}')" for d in differs)


def taking_command(contact: Contact, differs: list[Difference]) -> str:
    """The `contacts edit` command that gives the contact the card's values."""
    options = " ".join(f"--{d.name} {shlex.quote(d.card)}" for d in differs)
    return f"meishi contacts edit {contact.id} {options}"


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
    _add_emails(session, contact, emails)
    return len(emails_of(session, contact)) - before


def upsert_contact(
    session: Session, card: CardInput, now: dt.datetime, by_name: bool = True
) -> tuple[Contact, bool, list[str]]:
    """(contact, created, fields filled at `now`) for a checked card: the known one with its
    email (or, by_name, its name and company) filled in, else a new one."""
    contact = _contact_by_emails(session, card.emails)
    if contact is None and by_name:
        contact = contact_by_name(session, card.name, card.company)
    created = contact is None
    contact = _new_contact(session, card) if contact is None else contact
    filled = [] if created else _fill_empty(contact, card, now)
    _add_emails(session, contact, card.emails)
    return contact, created, filled


def meet(session: Session, contact: Contact, event: Event, topics: tuple[str, ...] = ()) -> bool:
    """Record meeting a contact at an event with these topics; True if anything was new."""
    known = session.exec(
        select(Encounter.id).where(
            Encounter.contact_id == contact.id, Encounter.event_id == event.id
        )
    ).first()
    encounter = _encounter(session, contact, event, None)
    new_topics = _add_topics(session, encounter, topics)
    return known is None or new_topics > 0


def contact_by_name(session: Session, name: str, company: str | None) -> Contact | None:
    """The first contact with this exact name and the same company (folded; none is the same
    as none, so that importing a card without company or email twice keeps one contact)."""
    query = select(Contact).where(Contact.full_name == name).order_by(col(Contact.id))
    wanted = fold(company)
    return next((c for c in session.exec(query) if fold(c.company) == wanted), None)


def _contact_by_emails(session: Session, emails: tuple[str, ...]) -> Contact | None:
    """The one contact already holding any of these emails."""
    if not emails:
        return None
    query = select(ContactEmail).where(col(ContactEmail.address).in_(emails))
    owners = {row.contact_id for row in session.exec(query)}
    if len(owners) > 1:
        raise BadValue(
            f"these emails belong to different contacts (ids {sorted(owners)}); "
            "add them one at a time"
        )
    return _get_contact(session, owners.pop()) if owners else None


def _get_contact(session: Session, contact_id: int) -> Contact:
    """A contact by id, known to exist."""
    contact = session.get(Contact, contact_id)
    assert contact is not None
    return contact


def _new_contact(session: Session, card: CardInput) -> Contact:
    """Store a new contact from a card."""
    contact = Contact(**new_contact_fields(card))
    session.add(contact)
    session.flush()
    return contact


def new_contact_fields(card: CardInput) -> dict[str, Any]:
    """A new contact's names and card fields, from a checked card."""
    family, given = split_name(card.name)
    fields = {"full_name": card.name, "family_name": family, "given_name": given}
    fields.update({name: blank_to_none(getattr(card, name)) for name in CARD_FIELDS})
    return fields


def _fill_empty(contact: Contact, card: CardInput, now: dt.datetime) -> list[str]:
    """Fill the contact's empty fields from the card; the names of those filled."""
    filled = []
    for name in CARD_FIELDS:
        value = blank_to_none(getattr(card, name))
        if value and not getattr(contact, name):
            setattr(contact, name, value)
            filled.append(name)
    if filled:
        contact.updated_at = in_utc(now)
    return filled


def _add_emails(session: Session, contact: Contact, emails: tuple[str, ...]) -> None:
    """Give the contact any of these emails it does not have yet."""
    known = emails_of(session, contact)
    new = [address for address in emails if address not in known]
    owner = f"contact '{contact.full_name}'"
    check_count(len(known) + len(new), limits.EMAILS_PER_CONTACT, "emails", owner, would=True)
    for position, address in enumerate(new, start=len(known)):
        session.add(ContactEmail(contact_id=id_of(contact), address=address, position=position))
    session.flush()


def _encounter(session: Session, contact: Contact, event: Event, note: str | None) -> Encounter:
    """The contact's encounter at the event, created if this is the first."""
    query = select(Encounter).where(
        Encounter.contact_id == contact.id, Encounter.event_id == event.id
    )
    encounter = session.exec(query).first()
    if encounter is None:
        encounter = Encounter(contact_id=id_of(contact), event_id=id_of(event))
        session.add(encounter)
    note = blank_to_none(note)
    if note:
        encounter.note = f"{encounter.note}\n{note}" if encounter.note else note
    session.flush()
    return encounter


def _add_topics(session: Session, encounter: Encounter, topics: tuple[str, ...]) -> int:
    """Append the topics the encounter does not have yet; how many were new."""
    known = topics_of(session, encounter)
    new = [topic for topic in topics if topic not in known]
    count = len(known) + len(new)
    check_count(count, limits.TOPICS_PER_ENCOUNTER, "topics", "the meeting", would=True)
    for position, text in enumerate(new, start=len(known)):
        session.add(Topic(encounter_id=id_of(encounter), position=position, text=text))
    session.flush()
    return len(new)


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
    from meishi.attendance.changes import meeting_allowed

    with _image_kept(scanned, data_dir, store.location.on_server) as kept, store.write() as session:
        event = session.get(Event, event_id)
        if event is None:
            raise NotFound(f"event #{event_id} was removed meanwhile; run the command again")
        meeting_allowed(session, event, now, force)  # no one is met at a cancelled event
        result = add_card(session, event, card, now)
        if scanned is not None and kept is not None:
            from meishi.cards.images import attach, extras

            attach(session, result.contact, kept, extras(scanned.fields))
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
