"""Merging two contacts: the rows of the one that goes, found and moved to the one kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import aliased
from sqlmodel import SQLModel, col, select, update

from meishi.models import ContactEmail, Draft, Encounter, Exchange, OutboxMessage

if TYPE_CHECKING:
    from sqlmodel import Session


def meetings_of(session: Session, contact_id: int) -> list[Encounter]:
    """The contact's encounters, in the order of their ids."""
    query = select(Encounter).where(Encounter.contact_id == contact_id)
    return list(session.exec(query.order_by(col(Encounter.id))))


def meeting_at(session: Session, contact_id: int, event_id: int) -> Encounter | None:
    """The contact's encounter at the event, or None."""
    query = select(Encounter).where(
        Encounter.contact_id == contact_id, Encounter.event_id == event_id
    )
    return session.exec(query).first()


def email_rows(session: Session, contact_id: int) -> list[ContactEmail]:
    """The contact's email rows, first given first."""
    query = select(ContactEmail).where(ContactEmail.contact_id == contact_id)
    return list(session.exec(query.order_by(col(ContactEmail.position))))


def mail_both_have(session: Session, keep_id: int, other_id: int) -> list[Exchange]:
    """The other's record of mail that keep has too: the same message, the same way."""
    kept = aliased(Exchange)
    twin = (
        select(kept.id)
        .where(
            kept.contact_id == keep_id,
            kept.message_id == Exchange.message_id,
            kept.direction == Exchange.direction,
        )
        .exists()
    )
    return list(session.exec(select(Exchange).where(Exchange.contact_id == other_id, twin)))


def move_owned_rows(session: Session, other_id: int, keep_id: int, moved: set[str]) -> None:
    """Re-point every row of a table that belongs to a contact (drafts, card images, tables
    to come) from the other to keep, but the tables in `moved`."""
    for table in SQLModel.metadata.sorted_tables:
        column = table.columns.get("contact_id")
        if column is None or table.name in moved:
            continue
        if any(key.column.table.name == "contact" for key in column.foreign_keys):
            session.execute(table.update().where(column == other_id).values(contact_id=keep_id))


def move_meeting_mail(session: Session, from_id: int, to_id: int) -> None:
    """Re-point the drafts and messages of one encounter to another."""
    for model in (Draft, OutboxMessage):
        session.exec(
            update(model).where(col(model.encounter_id) == from_id).values(encounter_id=to_id)
        )
