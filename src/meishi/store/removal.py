"""What deleting a contact or an event would take, counted; the mail that stops or
outlives it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from sqlmodel import SQLModel, col, func, select, update

from meishi.models import (
    CardImage,
    Draft,
    Encounter,
    Exchange,
    Obligation,
    OrganizerFollowUp,
    OutboxMessage,
    PastPosition,
    Topic,
)

if TYPE_CHECKING:
    from sqlmodel import Session

# Whose meetings and drafts: a contact's or an event's (both tables name either).
Owner = Literal["contact", "event"]


def contact_counts(session: Session, contact_id: int, kept: Sequence[str]) -> dict[str, int]:
    """How many rows of each table go with a contact, by table name; its drafts in the
    `kept` states are counted apart, as "kept"."""
    drafts = col(Draft.contact_id) == contact_id
    return {
        "encounter": _count(session, Encounter, Encounter.contact_id == contact_id),
        "topic": _count(session, Topic, _of_meetings(Topic.encounter_id, "contact", contact_id)),
        "draft": _count(session, Draft, drafts, col(Draft.state).not_in(kept)),
        "cardimage": _count(session, CardImage, CardImage.contact_id == contact_id),
        "pastposition": _count(session, PastPosition, PastPosition.contact_id == contact_id),
        "exchange": _count(session, Exchange, Exchange.contact_id == contact_id),
        "kept": _count(session, Draft, drafts, col(Draft.state).in_(kept)),
    }


def event_counts(session: Session, event_id: int) -> dict[str, int]:
    """How many rows of each table go with an event, by table name."""
    return {
        "encounter": _count(session, Encounter, Encounter.event_id == event_id),
        "topic": _count(session, Topic, _of_meetings(Topic.encounter_id, "event", event_id)),
        "draft": _count(session, Draft, Draft.event_id == event_id),
        "organizerfollowup": _count(
            session, OrganizerFollowUp, OrganizerFollowUp.event_id == event_id
        ),
        "obligation": _count(session, Obligation, Obligation.event_id == event_id),
    }


def waiting_mail(
    session: Session, owner: Owner, key: int, states: Sequence[str]
) -> OutboxMessage | None:
    """A message in these states for the meetings or the drafts of a contact or an event."""
    drafts = select(Draft.id).where(getattr(Draft, f"{owner}_id") == key)
    query = select(OutboxMessage).where(
        col(OutboxMessage.state).in_(states),
        _of_meetings(OutboxMessage.encounter_id, owner, key)
        | col(OutboxMessage.draft_id).in_(drafts),
    )
    return session.exec(query).first()


def event_draft_in(session: Session, event_id: int, states: Sequence[str]) -> Draft | None:
    """One of the event's drafts in these states, or None."""
    query = select(Draft).where(Draft.event_id == event_id, col(Draft.state).in_(states))
    return session.exec(query).first()


def detach_drafts(session: Session, contact_id: int, states: Sequence[str]) -> None:
    """Detach the contact's drafts in these states from the contact and its meetings."""
    session.exec(
        update(Draft)
        .where(col(Draft.contact_id) == contact_id, col(Draft.state).in_(states))
        .values(contact_id=None, encounter_id=None)
    )


def _of_meetings(column: Any, owner: Owner, key: int) -> Any:
    """The condition that a meeting column names one of a contact's or an event's meetings."""
    meetings = select(Encounter.id).where(getattr(Encounter, f"{owner}_id") == key)
    return col(column).in_(meetings)


def _count(session: Session, model: type[SQLModel], *where: Any) -> int:
    """How many rows of a table match."""
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())
