"""Merging two contacts who are one person, keeping every encounter, topic and draft."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select, update

from meishi.contacts import emails_of, topics_of
from meishi.errors import BadValue
from meishi.inputs import CARD_FIELDS
from meishi.models import (
    Contact,
    ContactEmail,
    Draft,
    Encounter,
    Exchange,
    OutboxMessage,
    Topic,
    id_of,
    in_utc,
)


def merge_contacts(session: Session, keep: Contact, other: Contact, now: dt.datetime) -> list[str]:
    """Fold `other` into `keep` at `now` and delete it; the fields of keep filled from it."""
    if keep.id == other.id:
        raise BadValue(f"#{keep.id} {keep.full_name} is the same contact twice; name two")
    filled = [name for name in CARD_FIELDS if not getattr(keep, name) and getattr(other, name)]
    for name in filled:
        setattr(keep, name, getattr(other, name))
    if other.note and other.note not in (keep.note or ""):
        keep.note = f"{keep.note}\n{other.note}" if keep.note else other.note
    _move_emails(session, keep, other)
    for encounter in session.exec(select(Encounter).where(Encounter.contact_id == other.id)).all():
        _move_encounter(session, keep, encounter)
    _drop_shared_mail(session, keep, other)
    _move_owned_rows(session, keep, other)
    keep.created_at = min(keep.created_at, other.created_at)
    keep.updated_at = in_utc(now)
    session.flush()
    session.delete(other)
    session.flush()
    return filled


def _drop_shared_mail(session: Session, keep: Contact, other: Contact) -> None:
    """Forget the other's record of mail that keep has too (one mail sent to both addresses):
    once theirs, it would be the same exchange twice."""
    kept = select(Exchange.message_id).where(Exchange.contact_id == keep.id)
    shared = select(Exchange).where(
        Exchange.contact_id == other.id, col(Exchange.message_id).in_(kept)
    )
    for exchange in session.exec(shared).all():
        twin = session.exec(
            select(Exchange).where(
                Exchange.contact_id == keep.id,
                Exchange.message_id == exchange.message_id,
                Exchange.direction == exchange.direction,
            )
        ).first()
        if twin is not None:
            session.delete(exchange)
    session.flush()


def _move_owned_rows(session: Session, keep: Contact, other: Contact) -> None:
    """Re-point every other row that belongs to a contact (drafts, card images, tables to come):
    deleting `other` would cascade to them."""
    from sqlmodel import SQLModel

    for table in SQLModel.metadata.sorted_tables:
        column = table.columns.get("contact_id")
        if column is None or table.name in {"contactemail", "encounter"}:
            continue  # moved above, with their positions and twins
        if any(key.column.table.name == "contact" for key in column.foreign_keys):
            session.execute(table.update().where(column == other.id).values(contact_id=keep.id))


def _move_emails(session: Session, keep: Contact, other: Contact) -> None:
    """Give keep the other's addresses, after its own."""
    start = len(emails_of(session, keep))
    moved = session.exec(
        select(ContactEmail)
        .where(ContactEmail.contact_id == other.id)
        .order_by(col(ContactEmail.position))
    ).all()
    for position, row in enumerate(moved, start=start):
        row.contact_id, row.position = id_of(keep), position
    session.flush()


def _move_encounter(session: Session, keep: Contact, encounter: Encounter) -> None:
    """Move an encounter to keep, joining it with keep's own at the same event if any."""
    twin = session.exec(
        select(Encounter).where(
            Encounter.contact_id == keep.id, Encounter.event_id == encounter.event_id
        )
    ).first()
    if twin is None:
        encounter.contact_id = id_of(keep)
        session.flush()
        return
    known = topics_of(session, twin)
    new = [text for text in topics_of(session, encounter) if text not in known]
    for position, text in enumerate(new, start=len(known)):
        session.add(Topic(encounter_id=id_of(twin), position=position, text=text))
    if encounter.note and encounter.note not in (twin.note or ""):
        twin.note = f"{twin.note}\n{encounter.note}" if twin.note else encounter.note
    twin.thanked_at = twin.thanked_at or encounter.thanked_at
    for model in (Draft, OutboxMessage):
        session.exec(
            update(model)
            .where(col(model.encounter_id) == encounter.id)
            .values(encounter_id=twin.id)
        )
    session.flush()
    session.delete(encounter)
    session.flush()
