"""Follow-ups found in the organizer's mail: those recorded for an event, and the review
list of doubtful ones with the user's decisions."""

from __future__ import annotations

from sqlmodel import Session, col, select

from meishi.models import Event, FollowUpReview, OrganizerFollowUp


def follow_ups_of_kind(session: Session, event_id: int, kind: str) -> list[OrganizerFollowUp]:
    """The event's follow-ups of one kind (found in mail or typed), first recorded first."""
    query = select(OrganizerFollowUp).where(
        OrganizerFollowUp.event_id == event_id, OrganizerFollowUp.kind == kind
    )
    return list(session.exec(query.order_by(col(OrganizerFollowUp.id))).all())


def was_asked(session: Session, event_id: int, message_id: str, kind: str) -> bool:
    """True when this mail's finding of that kind for the event was on the review list."""
    query = select(FollowUpReview.id).where(
        FollowUpReview.event_id == event_id,
        FollowUpReview.message_id == message_id,
        FollowUpReview.kind == kind,
    )
    return session.exec(query).first() is not None


def reviews_with(session: Session, decision: str) -> list[tuple[FollowUpReview, Event]]:
    """The reviews with that decision (pending: waiting), each with its event, oldest
    mail first."""
    query = (
        select(FollowUpReview, Event)
        .join(Event, col(Event.id) == col(FollowUpReview.event_id))
        .where(FollowUpReview.decision == decision)
        .order_by(col(FollowUpReview.date), col(FollowUpReview.id))
    )
    return [(review, event) for review, event in session.exec(query).all()]
