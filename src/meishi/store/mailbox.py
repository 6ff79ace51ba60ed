"""What `meishi sync` asks the store: each folder's cursor, the mail recorded with
contacts, the mail meishi wrote itself, and the events whose follow-ups it looks for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session, col, select

from meishi.models import ContactEmail, Draft, Encounter, Event, Exchange, MailCursor, OutboxMessage


def contact_addresses(session: Session) -> list[tuple[str, int]]:
    """Every contact's addresses, each with the contact it belongs to."""
    return [(a, c) for a, c in session.exec(select(ContactEmail.address, ContactEmail.contact_id))]


def folder_cursor(session: Session, folder: str | None) -> MailCursor | None:
    """How far sync has read a folder; None before its first run."""
    return session.exec(select(MailCursor).where(MailCursor.folder == folder)).first()


def is_recorded(session: Session, message_id: str, contact: int, direction: str) -> bool:
    """True when this message was recorded with this contact, in this direction, before."""
    query = select(Exchange.id).where(
        Exchange.message_id == message_id,
        Exchange.contact_id == contact,
        Exchange.direction == direction,
    )
    return session.exec(query).first() is not None


def written_by_meishi(session: Session, message_id: str) -> OutboxMessage | Draft | None:
    """The outbox message, or else the draft (its .eml file), with this Message-ID."""
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.message_id == message_id))
    drafted = session.exec(select(Draft).where(Draft.message_id == message_id))
    return sent.first() or drafted.first()


def unthanked_meeting(
    session: Session, contact: int, first: dt.date, last: dt.date
) -> Encounter | None:
    """The contact's meeting not yet thanked for at the latest event from `first` to `last`."""
    query = (
        select(Encounter)
        .join(Event, col(Event.id) == col(Encounter.event_id))
        .where(
            Encounter.contact_id == contact,
            col(Encounter.thanked_at).is_(None),
            Event.date <= last,
            Event.date >= first,
        )
        .order_by(col(Event.date).desc())
    )
    return session.exec(query).first()


def sent_among(session: Session, named: Sequence[str]) -> frozenset[str]:
    """The Message-IDs named that are mail you sent (from meishi or your mail client)."""
    sent = select(Exchange.message_id).where(
        col(Exchange.message_id).in_(named), Exchange.direction == "out"
    )
    outbox = select(OutboxMessage.message_id).where(col(OutboxMessage.message_id).in_(named))
    return frozenset([*session.exec(sent).all(), *session.exec(outbox).all()])


def in_thread(
    session: Session, contact: int, named: Sequence[str], gmail_thread: str | None
) -> list[tuple[str, str | None, str | None]]:
    """(Message-ID, thread root, Gmail thread) of the mail recorded with the contact that
    is named, or whose thread is named, or that is in the Gmail thread given."""
    linked = col(Exchange.message_id).in_(named) | col(Exchange.thread_root).in_(named)
    if gmail_thread:
        linked = linked | (col(Exchange.gmail_thread) == gmail_thread)
    query = select(Exchange.message_id, Exchange.thread_root, Exchange.gmail_thread).where(
        Exchange.contact_id == contact, linked
    )
    return [(m, root, gmail) for m, root, gmail in session.exec(query).all()]


def subjects_sent(
    session: Session, contact: int, since: dt.datetime, until: dt.datetime
) -> list[str]:
    """The subjects of the mail you sent the contact from `since` to `until` (UTC stamps)."""
    query = select(Exchange.subject).where(
        Exchange.contact_id == contact,
        Exchange.direction == "out",
        Exchange.date >= since,
        Exchange.date <= until,
    )
    return list(session.exec(query).all())


def events_from(session: Session, first: dt.date, attendance: str) -> list[Event]:
    """The events from `first` on with that attendance (attended: their follow-ups are
    looked for in the inbox)."""
    query = select(Event).where(Event.attendance == attendance, col(Event.date) >= first)
    return list(session.exec(query).all())
