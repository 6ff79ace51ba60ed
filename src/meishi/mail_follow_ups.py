"""Follow-ups found in the organizer's mail: recorded as one with those typed by hand, or,
when the classifier is not sure, kept on the review list until the user decides.

One follow-up per event and kind: a mail's finding joins a follow-up already recorded
for that event and kind (the hand's date and note stay, the mail's evidence is added),
and `meishi followup` joins one found in mail the same way. A decision on the review
list is kept, so the same mail never asks twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from meishi.errors import BadValue, NotFound, NothingToDo
from meishi.models import Event, FollowUpReview, OrganizerFollowUp, id_of, in_utc
from meishi.should_return.rules import FOLLOW_UP_KINDS
from meishi.store.mail_follow_ups import follow_ups_of_kind, reviews_with, was_asked
from meishi.store.rows import by_id
from meishi.validation import check_choice

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.store.engine import Store

SUBJECT_CHARS = 300  # as long as an event's fields may be
ACCEPTED, REJECTED, CHANGED, PENDING = "accepted", "rejected", "changed", "pending"


@dataclass(frozen=True)
class FoundInMail:
    """What the classifier found in one mail for one event: a kind, and why."""

    event_id: int
    kind: str
    on: dt.date  # the mail's day
    subject: str
    message_id: str
    reasons: tuple[str, ...]  # the phrases and links that decided


@dataclass(frozen=True)
class Waiting:
    """A doubtful follow-up on the review list, with its event."""

    id: int
    event_id: int
    event: str
    event_date: dt.date
    kind: str
    subject: str
    on: dt.date
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """The waiting follow-up as JSON-ready values."""
        return {
            "id": self.id,
            "event_id": self.event_id,
            "event": self.event,
            "event_date": self.event_date.isoformat(),
            "kind": self.kind,
            "subject": self.subject,
            "date": self.on.isoformat(),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Answer:
    """The user's word on a waiting follow-up: accepted (as `kind`) or rejected."""

    accept: bool
    kind: str | None = None  # another kind than the classifier's: changed


SKIP = "skip"  # an answer that leaves the follow-up waiting for the next review
# Asks the user about one waiting follow-up: an answer, SKIP for later, or None to stop.
Ask = Callable[[Waiting], "Answer | str | None"]


def record_found(session: Session, found: FoundInMail) -> bool:
    """Record a follow-up found in mail; False when its mail, or another for the same event
    and kind, is recorded already (the first mail's evidence is kept)."""
    known = _follow_up_of(session, found.event_id, found.kind)
    if known is not None and known.message_id is not None:
        return False
    if known is None:
        known = OrganizerFollowUp(
            event_id=found.event_id, kind=found.kind, date=found.on, source="mail"
        )
    # A follow-up typed by hand keeps its date and note, and gains the mail's evidence.
    known.message_id, known.subject = found.message_id, found.subject[:SUBJECT_CHARS]
    known.evidence = "\n".join(found.reasons)
    session.add(known)
    session.flush()
    return True


def _follow_up_of(session: Session, event_id: int, kind: str) -> OrganizerFollowUp | None:
    """The event's follow-up of that kind found in mail, or else the first typed by hand."""
    rows = follow_ups_of_kind(session, event_id, kind)
    return next((row for row in rows if row.message_id), rows[0] if rows else None)


def found_in_mail(session: Session, event_id: int, kind: str) -> OrganizerFollowUp | None:
    """The event's follow-up of that kind that a mail shows, for `meishi followup` to join."""
    known = _follow_up_of(session, event_id, kind)
    return known if known is not None and known.message_id else None


def keep_for_review(session: Session, found: FoundInMail) -> bool:
    """Put a doubtful finding on the review list; False when this mail asked before, or a
    mail shows that follow-up already."""
    if was_asked(session, found.event_id, found.message_id, found.kind):
        return False
    if found_in_mail(session, found.event_id, found.kind) is not None:  # nothing to ask
        return False
    session.add(
        FollowUpReview(
            event_id=found.event_id,
            kind=found.kind,
            message_id=found.message_id,
            subject=found.subject[:SUBJECT_CHARS],
            date=found.on,
            reasons="\n".join(found.reasons),
        )
    )
    session.flush()
    return True


def waiting(session: Session) -> list[Waiting]:
    """The follow-ups waiting for review, oldest mail first."""
    return [_waiting(review, event) for review, event in reviews_with(session, PENDING)]


def _waiting(review: FollowUpReview, event: Event) -> Waiting:
    """One waiting follow-up as the review shows it."""
    reasons = tuple(line for line in review.reasons.splitlines() if line)
    return Waiting(
        id_of(review),
        event.id or 0,
        event.name,
        event.date,
        review.kind,
        review.subject,
        review.date,
        reasons,
    )


def review_all(
    store: Store, ask: Ask, now: dt.datetime
) -> Iterator[tuple[Waiting, Answer | str | None]]:
    """Ask about each waiting follow-up in turn and keep each answer as it is given (skipped
    ones wait for the next review); yields each item asked and its answer (SKIP, or None
    when the user stopped there)."""
    with store.read() as session:
        queue = waiting(session)
    for item in queue:
        answer = ask(item)
        if isinstance(answer, Answer):
            with store.write() as session:
                decide(session, item.id, answer, now)
        yield item, answer
        if answer is None:
            return


def decide_one(store: Store, review_id: int, answer: Answer, now: dt.datetime) -> Waiting:
    """Keep the user's decision on one waiting follow-up (`followup review --accept ID`)."""
    with store.write() as session:
        return decide(session, review_id, answer, now)


def decide(session: Session, review_id: int, answer: Answer, now: dt.datetime) -> Waiting:
    """Accept (perhaps as another kind) or reject a waiting follow-up, and remember it."""
    review = by_id(session, FollowUpReview, review_id)
    if review is None:
        raise NotFound(f"no follow-up #{review_id} waits for review; see meishi followup review")
    if review.decision != PENDING:
        raise NothingToDo(f"follow-up #{review_id} was {review.decision} already")
    event = by_id(session, Event, review.event_id)
    assert event is not None  # a foreign key, deleted with it
    item = _waiting(review, event)
    kind = answer.kind or review.kind
    check_choice(kind, FOLLOW_UP_KINDS, "follow-up")
    if answer.accept:
        reasons = (*item.reasons, "accepted in review" + (f" as {kind}" if answer.kind else ""))
        found = FoundInMail(
            review.event_id, kind, review.date, review.subject, review.message_id, reasons
        )
        record_found(session, found)
    review.decision = _decision(answer, review.kind)
    review.decided_kind = kind if answer.accept else None
    review.decided_at = in_utc(now)
    session.add(review)
    session.flush()
    return item


def _decision(answer: Answer, found_kind: str) -> str:
    """How a decision is kept: accepted, changed (accepted as another kind) or rejected."""
    if not answer.accept:
        if answer.kind:
            raise BadValue("a rejected follow-up has no kind: give --kind only with --accept")
        return REJECTED
    return CHANGED if answer.kind and answer.kind != found_kind else ACCEPTED
