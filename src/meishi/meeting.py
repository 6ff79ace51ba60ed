"""Meeting a person at an event: the card checked, matched with a known contact (by email,
or by name and company), stored with the encounter and what you talked about.

The one implementation of adding a card, on a plain connection (store/adding.py):
`meishi add` runs it on the writer, without the ORM; `add --scan`, `import` and the demo
on the connection under their session (resolve.raw_connection). Nothing here imports
SQLAlchemy, so that `meishi add` starts fast.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from meishi import limits
from meishi.attendance.rules import ASSUMED, check_meeting, event_start, meeting_confirms
from meishi.card_fields import CARD_FIELDS, CARD_TEXTS, LANGUAGES
from meishi.cards.companies import full_company_name
from meishi.errors import BadValue, NotFound
from meishi.inputs import CardInput
from meishi.mail import message as mail
from meishi.store import adding
from meishi.store.adding import StoredContact, StoredEvent
from meishi.store.resolve import event_id_named
from meishi.store.sql import ReadConnection
from meishi.text import blank_to_none, fold, split_name
from meishi.validation import (
    check_chars,
    check_choice,
    check_count,
    check_text,
    optional_text,
    required_text,
)

NO_STARTED_EVENT = "no event has started yet; add one: meishi event add NAME --date DATE"
MET_THERE = "met someone there"  # the reason of the attendance a meeting shows


@dataclass
class AddResult:
    """What adding a card did."""

    contact: StoredContact
    encounter_id: int
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


def event_meant(connection: ReadConnection, text: str | None, now: dt.datetime) -> StoredEvent:
    """The event named, or else the latest one that has started."""
    if text:
        found = adding.event_by_id(connection, event_id_named(connection, text))
    else:
        found = adding.latest_started_event(connection, now)
    if found is None:
        raise NotFound(NO_STARTED_EVENT)
    return found


def add_met(
    connection: ReadConnection, event_id: int, card: CardInput, now: dt.datetime,
    force: bool = False,
) -> AddResult:  # fmt: skip
    """Store a card met at an event: refused at an event you cancelled or that has not
    started (unless forced: you were there), and the event marked attended if it was not."""
    event = adding.event_by_id(connection, event_id)
    if event is None:
        raise NotFound(f"event #{event_id} was removed meanwhile; run the command again")
    _attended_by_meeting(connection, event, now, force)
    return add_card(connection, event_id, card, now)


def _attended_by_meeting(
    connection: ReadConnection, event: StoredEvent, now: dt.datetime, force: bool
) -> None:
    """Meeting someone at an event that has started shows you were there: record it, unless
    its status says so already; refuse an event no one can have been met at, unless forced."""
    if not check_meeting(event, now, force):
        # Forced: as of the start at the latest, since a status cannot change before it.
        at = max(now, event_start(event.date, event.start_time))
    elif meeting_confirms(event, _assumed(connection, event), now):
        at = now
    else:
        return
    adding.mark_attended(connection, event.id, at, MET_THERE, now)


def _assumed(connection: ReadConnection, event: StoredEvent) -> bool:
    """True when the event's status is only the one assumed when it was added."""
    return adding.latest_attendance_reason(connection, event.id) == ASSUMED


def add_card(
    connection: ReadConnection, event_id: int, card: CardInput, now: dt.datetime
) -> AddResult:
    """Record meeting a person at an event (whose attendance is settled), merging with the
    contact who has the same email."""
    in_full, card = company_in_full(card), check_card(card)
    contact, created, filled = upsert_contact(connection, card, now, by_name=False)
    encounter = _encounter(connection, contact.id, event_id, card.note, now)
    new_topics = _add_topics(connection, encounter, card.topics)
    differs = [] if created else differences(contact, card)
    return AddResult(contact, encounter, created, filled, new_topics, differs, in_full)


def differences(contact: StoredContact, card: CardInput) -> list[Difference]:
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


def taking_command(contact: StoredContact, differs: list[Difference]) -> str:
    """The `contacts edit` command that gives the contact the card's values."""
    options = " ".join(f"--{d.name} {shlex.quote(d.card)}" for d in differs)
    return f"meishi contacts edit {contact.id} {options}"


def upsert_contact(
    connection: ReadConnection, card: CardInput, now: dt.datetime, by_name: bool = True
) -> tuple[StoredContact, bool, list[str]]:
    """(contact, created, fields filled at `now`) for a checked card: the known one with its
    email (or, by_name, its name and company) filled in, else a new one."""
    contact = _contact_by_emails(connection, card.emails)
    if contact is None and by_name:
        contact = contact_by_name(connection, card.name, card.company)
    created = contact is None
    filled: list[str] = []
    if contact is None:
        contact = _new_contact(connection, card, now)
    else:
        contact, filled = _fill_empty(connection, contact, card, now)
    add_emails(connection, contact, card.emails)
    return contact, created, filled


def meet(
    connection: ReadConnection, contact_id: int, event_id: int, now: dt.datetime,
    topics: tuple[str, ...] = (),
) -> bool:  # fmt: skip
    """Record meeting a contact at an event (stamped now, if the first time) with these
    topics; True if anything was new."""
    known = adding.encounter_at(connection, contact_id, event_id)
    encounter = _encounter(connection, contact_id, event_id, None, now)
    return _add_topics(connection, encounter, topics) > 0 or known is None


def contact_by_name(
    connection: ReadConnection, name: str, company: str | None
) -> StoredContact | None:
    """The first contact with this exact name and the same company (folded; none is the same
    as none, so that importing a card without company or email twice keeps one contact)."""
    wanted = fold(company)
    return next(
        (c for c in adding.contacts_named(connection, name) if fold(c.company) == wanted), None
    )


def new_contact_fields(card: CardInput) -> dict[str, Any]:
    """A new contact's names and card fields, from a checked card."""
    family, given = split_name(card.name)
    fields = {"full_name": card.name, "family_name": family, "given_name": given}
    fields.update({name: blank_to_none(getattr(card, name)) for name in CARD_FIELDS})
    return fields


def add_emails(connection: ReadConnection, contact: StoredContact, emails: tuple[str, ...]) -> None:
    """Give the contact any of these emails it does not have yet."""
    known = adding.emails_of(connection, contact.id)
    new = [address for address in emails if address not in known]
    owner = f"contact '{contact.full_name}'"
    check_count(len(known) + len(new), limits.EMAILS_PER_CONTACT, "emails", owner, would=True)
    adding.insert_emails(connection, contact.id, new, len(known))


def _contact_by_emails(connection: ReadConnection, emails: tuple[str, ...]) -> StoredContact | None:
    """The one contact already holding any of these emails."""
    owners = set(adding.owners_of(connection, emails).values())
    if len(owners) > 1:
        raise BadValue(
            f"these emails belong to different contacts (ids {sorted(owners)}); "
            "add them one at a time"
        )
    return adding.contact_by_id(connection, owners.pop()) if owners else None


def _new_contact(connection: ReadConnection, card: CardInput, now: dt.datetime) -> StoredContact:
    """Store a new contact from a checked card."""
    fields = new_contact_fields(card)
    key = adding.insert_contact(connection, fields, now)
    values = {name: fields[name] for name in (*CARD_FIELDS, "family_name", "given_name")}
    return StoredContact(key, card.name, **values)


def _fill_empty(
    connection: ReadConnection, contact: StoredContact, card: CardInput, now: dt.datetime
) -> tuple[StoredContact, list[str]]:
    """The contact with its empty fields filled from the card, and the names of those."""
    values: dict[str, Any] = {}
    for name in CARD_FIELDS:
        value = blank_to_none(getattr(card, name))
        if value and not getattr(contact, name):
            values[name] = value
    if values:
        adding.update_contact(connection, contact.id, values, now)
    return replace(contact, **values), list(values)


def _encounter(
    connection: ReadConnection, contact_id: int, event_id: int, note: str | None,
    now: dt.datetime,
) -> int:  # fmt: skip
    """The id of the contact's encounter at the event (created, stamped now, if this is the
    first), with the note added to it."""
    note = blank_to_none(note)
    known = adding.encounter_at(connection, contact_id, event_id)
    if known is None:
        return adding.insert_encounter(connection, contact_id, event_id, note, now)
    key, earlier = known
    if note:
        adding.set_encounter_note(connection, key, f"{earlier}\n{note}" if earlier else note)
    return key


def _add_topics(connection: ReadConnection, encounter_id: int, topics: tuple[str, ...]) -> int:
    """Append the topics the encounter does not have yet; how many were new."""
    known = adding.topics_of(connection, encounter_id)
    new = [topic for topic in topics if topic not in known]
    count = len(known) + len(new)
    check_count(count, limits.TOPICS_PER_ENCOUNTER, "topics", "the meeting", would=True)
    adding.insert_topics(connection, encounter_id, new, len(known))
    return len(new)
