"""Deleting a contact, an event or an organizer's follow-up: what goes with it, what stays.

Mail that went out stays on record. The outbox keeps every message (its links to
drafts and meetings are set to NULL); a contact's drafts that went out (or may
have) are kept, detached from the contact; an event about which mail went out is
not deleted, since its drafts cannot live without it. A message still waiting in
the outbox stops a deletion: it would otherwise go out to someone deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, and_, col, func, select, update

from meishi.errors import BadValue, NotFound
from meishi.mail.outbox import QUEUED, SENDING, SENT, UNKNOWN
from meishi.models import (
    CardImage,
    Contact,
    Draft,
    Encounter,
    Event,
    Exchange,
    Obligation,
    OrganizerFollowUp,
    OutboxMessage,
    PastPosition,
    Topic,
    id_of,
)
from meishi.store.engine import Store
from meishi.store.resolve import find_contact, find_event
from meishi.text import counted
from meishi.validation import id_in

# Drafts that are the record of mail that went out, or may have.
WENT_OUT = (SENT, UNKNOWN)


@dataclass
class Removal:
    """What deleting one thing takes with it, counted before it goes."""

    label: str  # e.g. "contact #3 田中 太郎"
    parts: list[str] = field(default_factory=list)  # e.g. "2 encounters"
    kept: int = 0  # drafts kept as the record of mail that went out
    files: list[str] = field(default_factory=list)  # card images, relative to the data folder

    def summary(self) -> str:
        """The thing and what goes with it, in one phrase."""
        parts = [part for part in self.parts if not part.startswith("0 ")]
        return f"{self.label}{' with ' + ', '.join(parts) if parts else ''}"

    def record(self) -> str:
        """What stays of the mail that went out, or empty."""
        if not self.kept:
            return ""
        return f"Kept as the record of mail that went out: {counted(self.kept, 'draft')}."


def contact_removal(session: Session, contact: Contact) -> Removal:
    """What deleting a contact takes: encounters, topics, drafts, card images, history, and
    the record of mail exchanged with them."""
    encounters = select(Encounter.id).where(Encounter.contact_id == contact.id)
    drafts = select(Draft.id).where(Draft.contact_id == contact.id)
    _refuse_waiting_mail(session, encounters, drafts, contact.full_name)
    images = session.exec(select(CardImage.path).where(CardImage.contact_id == contact.id)).all()
    kept = _count(session, Draft, Draft.contact_id == contact.id, col(Draft.state).in_(WENT_OUT))
    parts = _tally(
        session,
        (Encounter, Encounter.contact_id == contact.id, "encounter"),
        (Topic, col(Topic.encounter_id).in_(encounters), "topic"),
        (Draft, and_(Draft.contact_id == contact.id, col(Draft.state).not_in(WENT_OUT)), "draft"),
        (CardImage, CardImage.contact_id == contact.id, "card image"),
        (PastPosition, PastPosition.contact_id == contact.id, "past position"),
        (Exchange, Exchange.contact_id == contact.id, "mail read by sync|mails read by sync"),
    )
    return Removal(f"contact #{contact.id} {contact.full_name}", parts, kept, list(images))


def event_removal(session: Session, event: Event) -> Removal:
    """What deleting an event takes: the meetings there, their topics and drafts, the
    follow-ups and what you owe (your attendance record goes too, unsaid: it is the
    event's own); refused when mail about it went out."""
    encounters = select(Encounter.id).where(Encounter.event_id == event.id)
    drafts = select(Draft.id).where(Draft.event_id == event.id)
    _refuse_waiting_mail(session, encounters, drafts, event.name)
    sent = session.exec(
        select(Draft).where(Draft.event_id == event.id, col(Draft.state).in_(WENT_OUT))
    ).first()
    if sent is not None:
        raise BadValue(
            f"mail about {event.name} went out (draft #{sent.id} to {sent.to_name}, {sent.state});"
            " meishi keeps the record of mail that went out, so it keeps the event"
        )
    parts = _tally(
        session,
        (Encounter, Encounter.event_id == event.id, "encounter"),
        (Topic, col(Topic.encounter_id).in_(encounters), "topic"),
        (Draft, Draft.event_id == event.id, "draft"),
        (OrganizerFollowUp, OrganizerFollowUp.event_id == event.id, "follow-up"),
        (Obligation, Obligation.event_id == event.id, "thing you owe|things you owe"),
    )
    return Removal(f"event #{event.id} {event.name} ({event.date})", parts)


def _tally(session: Session, *tables: tuple[type[SQLModel], Any, str]) -> list[str]:
    """'2 encounters' and the like: for each (table, condition, noun or 'noun|plural')."""
    return [
        counted(_count(session, model, where), *noun.split("|")) for model, where, noun in tables
    ]


def follow_up_removal(session: Session, follow_up: OrganizerFollowUp) -> Removal:
    """A follow-up takes nothing with it."""
    event = session.get(Event, follow_up.event_id)
    name = event.name if event is not None else "its event"
    return Removal(f"follow-up #{follow_up.id} ({follow_up.kind} on {follow_up.date}) of {name}")


def _count(session: Session, model: type[SQLModel], *where: Any) -> int:
    """How many rows of a table match."""
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def _refuse_waiting_mail(session: Session, encounters: Any, drafts: Any, whom: str) -> None:
    """Refuse while a message for these meetings or drafts waits in the outbox."""
    waiting = session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.state).in_((QUEUED, SENDING)),
            col(OutboxMessage.encounter_id).in_(encounters)
            | col(OutboxMessage.draft_id).in_(drafts),
        )
    ).first()
    if waiting is not None:
        raise BadValue(
            f"message #{waiting.id} to {waiting.to_addr} about {whom} is still waiting in the "
            "outbox; send it first (meishi send), then delete"
        )


# Each kind of thing that can be deleted: its table, what it takes, and its name in messages.
KINDS: dict[str, tuple[type[SQLModel], Callable[[Session, Any], Removal]]] = {
    "contact": (Contact, contact_removal),
    "event": (Event, event_removal),
    "follow-up": (OrganizerFollowUp, follow_up_removal),
}


def plan_removal(session: Session, kind: str, text: str) -> tuple[int, Removal]:
    """(id, what deleting it would take) for the contact, event or follow-up named, or
    why it may not go."""
    row = _named(session, kind, text)
    return id_of(row), KINDS[kind][1](session, row)


def _named(session: Session, kind: str, text: str) -> SQLModel:
    """The contact or event named as everywhere else; a follow-up by its id."""
    if kind == "contact":
        return find_contact(session, text)
    if kind == "event":
        return find_event(session, text)
    key = id_in(text)
    follow_up = session.get(OrganizerFollowUp, key) if key is not None else None
    if follow_up is None:
        raise NotFound(f"no follow-up #{text.strip()[:20]}; meishi event show EVENT lists them")
    return follow_up


def delete(store: Store, kind: str, key: int, data_dir: Path) -> Removal:
    """Delete a contact, event or follow-up with all it takes, in one write; then the card
    image files no one else has (only after the write, so a failed one keeps them)."""
    model, plan = KINDS[kind]
    with store.write() as session:
        row = session.get(model, key)
        if row is None:
            raise NotFound(f"{kind} #{key} was deleted meanwhile; nothing more was deleted")
        removal = plan(session, row)
        if model is Contact:
            _keep_sent_drafts(session, key)
        session.delete(row)
        session.flush()
        query = select(CardImage.path).where(col(CardImage.path).in_(removal.files))
        shared = set(session.exec(query).all())  # the same card kept for another contact
        unowned = [path for path in removal.files if path not in shared]
    for path in unowned:
        (data_dir / path).unlink(missing_ok=True)
    return removal


def _keep_sent_drafts(session: Session, contact_id: int) -> None:
    """Detach the contact's drafts that went out, so that they stay as the record of it."""
    session.exec(
        update(Draft)
        .where(col(Draft.contact_id) == contact_id, col(Draft.state).in_(WENT_OUT))
        .values(contact_id=None, encounter_id=None)
    )
