"""The outbox's queries: which messages are waiting, the claim of the next one to send, and
the messages by state and by draft."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from meishi.models import Draft, OutboxMessage

QUEUED = "queued"


def waiting(query: Any, only: list[int] | None = None) -> Any:
    """A query narrowed to queued messages with bytes of their own (or only some), oldest
    first: what a sending run sends."""
    query = query.where(OutboxMessage.state == QUEUED, func.length(OutboxMessage.raw) > 0)
    if only is not None:
        query = query.where(col(OutboxMessage.id).in_(only))
    return query.order_by(col(OutboxMessage.id))


def waiting_ids(session: Session, only: list[int] | None = None) -> list[int]:
    """Ids of the messages a sending run sends, oldest first."""
    return [int(i) for i in session.exec(waiting(select(OutboxMessage.id), only)) if i is not None]


def next_to_claim(session: Session, after: int, only: list[int] | None) -> OutboxMessage | None:
    """The oldest queued message past id `after`, locked for this transaction to claim.

    On PostgreSQL the row is taken `FOR UPDATE SKIP LOCKED`: a message another machine's
    transaction holds is passed over, never waited for nor taken twice. (meishi's write
    transactions also take its advisory lock first, so today they never overlap; the row
    lock keeps the claim safe on its own.) SQLite has no row locks and SQLAlchemy writes
    no FOR clause there: the write transaction's BEGIN IMMEDIATE serializes the claim.
    """
    query = _next(select(OutboxMessage), after, only)
    claimed: OutboxMessage | None = session.exec(query.with_for_update(skip_locked=True)).first()
    return claimed


def any_waiting_after(session: Session, after: int, only: list[int] | None) -> bool:
    """True when a queued message past id `after` is left to claim."""
    return session.exec(_next(select(OutboxMessage.id), after, only)).first() is not None


def _next(query: Any, after: int, only: list[int] | None) -> Any:
    """A query narrowed to the oldest waiting message past id `after`."""
    return waiting(query, only).where(col(OutboxMessage.id) > after).limit(1)


def waiting_messages(session: Session, only: list[int] | None = None) -> list[OutboxMessage]:
    """The messages a sending run sends, oldest first (a dry run shows them)."""
    return list(session.exec(waiting(select(OutboxMessage), only)).all())


def message_on_its_way(
    session: Session, draft: Draft, states: tuple[str, ...]
) -> OutboxMessage | None:
    """A message in one of `states` for the draft's meeting (for a draft to an organizer,
    made from the draft itself)."""
    query = select(OutboxMessage).where(col(OutboxMessage.state).in_(states))
    if draft.encounter_id is not None:
        query = query.where(OutboxMessage.encounter_id == draft.encounter_id)
    else:
        query = query.where(OutboxMessage.draft_id == draft.id)
    return session.exec(query).first()


def messages_in_state(session: Session, state: str) -> list[OutboxMessage]:
    """The messages in one state."""
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.state == state)).all())


def messages_newest_first(session: Session) -> list[OutboxMessage]:
    """Every message in the outbox, newest first."""
    return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc())).all())
