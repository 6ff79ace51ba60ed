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
from typing import TYPE_CHECKING, Any

from meishi.errors import BadValue, NotFound
from meishi.mail.outbox import QUEUED, SENDING, SENT, UNKNOWN
from meishi.models import Contact, Event, OrganizerFollowUp, id_of
from meishi.store.card_images import images_of, kept_paths
from meishi.store.removal import (
    Owner,
    contact_counts,
    detach_drafts,
    event_counts,
    event_draft_in,
    waiting_mail,
)
from meishi.store.resolve import find_contact, find_event
from meishi.store.rows import by_id
from meishi.text import counted
from meishi.validation import id_in

if TYPE_CHECKING:
    from sqlmodel import Session, SQLModel

    from meishi.store.engine import Store

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
    key = id_of(contact)
    _refuse_waiting_mail(session, "contact", key, contact.full_name)
    images = [image.path for image in images_of(session, key)]
    counts = contact_counts(session, key, WENT_OUT)
    kept = counts.pop("kept")
    return Removal(f"contact #{key} {contact.full_name}", _tally(counts), kept, images)


def event_removal(session: Session, event: Event) -> Removal:
    """What deleting an event takes: the meetings there, their topics and drafts, the
    follow-ups and what you owe (your attendance record goes too, unsaid: it is the
    event's own); refused when mail about it went out."""
    key = id_of(event)
    _refuse_waiting_mail(session, "event", key, event.name)
    sent = event_draft_in(session, key, WENT_OUT)
    if sent is not None:
        raise BadValue(
            f"mail about {event.name} went out (draft #{sent.id} to {sent.to_name}, {sent.state});"
            " meishi keeps the record of mail that went out, so it keeps the event"
        )
    return Removal(f"event #{key} {event.name} ({event.date})", _tally(event_counts(session, key)))


# What each table's rows are called in a removal's summary: noun, or 'noun|plural'.
NOUNS = {
    "encounter": "encounter",
    "topic": "topic",
    "draft": "draft",
    "cardimage": "card image",
    "pastposition": "past position",
    "exchange": "mail read by sync|mails read by sync",
    "organizerfollowup": "follow-up",
    "obligation": "thing you owe|things you owe",
}


def _tally(counts: dict[str, int]) -> list[str]:
    """'2 encounters' and the like, for each table's count."""
    return [counted(count, *NOUNS[table].split("|")) for table, count in counts.items()]


def follow_up_removal(session: Session, follow_up: OrganizerFollowUp) -> Removal:
    """A follow-up takes nothing with it."""
    event = by_id(session, Event, follow_up.event_id)
    name = event.name if event is not None else "its event"
    return Removal(f"follow-up #{follow_up.id} ({follow_up.kind} on {follow_up.date}) of {name}")


def _refuse_waiting_mail(session: Session, owner: Owner, key: int, whom: str) -> None:
    """Refuse while a message for the meetings or drafts of a contact or an event waits in
    the outbox."""
    waiting = waiting_mail(session, owner, key, (QUEUED, SENDING))
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
    follow_up = by_id(session, OrganizerFollowUp, key) if key is not None else None
    if follow_up is None:
        raise NotFound(f"no follow-up #{text.strip()[:20]}; meishi event show EVENT lists them")
    return follow_up


def delete(store: Store, kind: str, key: int, data_dir: Path) -> Removal:
    """Delete a contact, event or follow-up with all it takes, in one write; then the card
    image files no one else has (only after the write, so a failed one keeps them)."""
    model, plan = KINDS[kind]
    with store.write() as session:
        row = by_id(session, model, key)
        if row is None:
            raise NotFound(f"{kind} #{key} was deleted meanwhile; nothing more was deleted")
        removal = plan(session, row)
        if model is Contact:
            detach_drafts(session, key, WENT_OUT)  # the record of mail that went out stays
        session.delete(row)
        session.flush()
        shared = kept_paths(session, removal.files)  # the same card kept for another contact
        unowned = [path for path in removal.files if path not in shared]
    for path in unowned:
        (data_dir / path).unlink(missing_ok=True)
    return removal
