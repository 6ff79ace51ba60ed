"""What you owe after a last-minute cancellation or a no-show: an apology, and the fee.

Created by attendance changes (attendance/changes.py), settled when you say so.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from meishi.attendance.rules import APOLOGY, FEE
from meishi.errors import BadValue, NotFound, NothingToDo
from meishi.models import Event, Obligation, id_of
from meishi.validation import check_amount, check_choice

APOLOGY_WAYS = ("in-person", "phone", "mail")


def create_obligations(session: Session, event: Event) -> list[Obligation]:
    """An apology to the organizer always; the fee when the event has one."""
    wanted = [(APOLOGY, None)] + ([(FEE, event.fee)] if event.fee else [])
    owed = [Obligation(event_id=id_of(event), kind=kind, amount=amount) for kind, amount in wanted]
    fresh = [item for item in owed if _open(session, event, item.kind) is None]
    session.add_all(fresh)
    return fresh


def apology_owed_ever(session: Session, event: Event) -> bool:
    """True when an apology was owed for the event (open or already settled)."""
    query = select(Obligation.id).where(Obligation.event_id == event.id, Obligation.kind == APOLOGY)
    return session.exec(query).first() is not None


def forgive(session: Session, event: Event) -> None:
    """Drop what is still owed for an event."""
    for obligation in open_obligations(session, event):
        session.delete(obligation)


def _open(session: Session, event: Event, kind: str) -> Obligation | None:
    """The open obligation of one kind for an event."""
    return session.exec(
        select(Obligation).where(
            Obligation.event_id == event.id,
            Obligation.kind == kind,
            col(Obligation.settled_at).is_(None),
        )
    ).first()


def open_obligations(session: Session, event: Event | None = None) -> list[Obligation]:
    """Everything still owed (for one event, or for all), oldest first."""
    query = select(Obligation).where(col(Obligation.settled_at).is_(None))
    if event is not None:
        query = query.where(Obligation.event_id == event.id)
    return list(session.exec(query.order_by(col(Obligation.created_at))).all())


def settle_apology(session: Session, event: Event, how: str, now: dt.datetime) -> Obligation:
    """Record that you apologized to the organizer."""
    check_choice(how, APOLOGY_WAYS, "way")
    obligation = _to_settle(session, event, APOLOGY)
    obligation.settled_at, obligation.how = now, how
    return obligation


def settle_fee(session: Session, event: Event, amount: int | None, now: dt.datetime) -> Obligation:
    """Record that you paid the fee for the seat you left empty."""
    if amount is not None:  # checked before anything else: a refusal leaves the store as it was
        check_amount(amount, "amount", "give the yen paid with --amount", smallest=1)
    obligation = _to_settle(session, event, FEE)
    paid = obligation.amount if amount is None else amount
    if not paid:
        raise BadValue(f"no fee is recorded for {event.name}; give the yen paid with --amount")
    obligation.settled_at, obligation.paid = now, paid
    return obligation


def _to_settle(session: Session, event: Event, kind: str) -> Obligation:
    """The open obligation to settle, or a clear refusal."""
    obligation = _open(session, event, kind)
    if obligation is not None:
        return obligation
    settled = session.exec(
        select(Obligation).where(Obligation.event_id == event.id, Obligation.kind == kind)
    ).first()
    if settled is not None:
        raise NothingToDo(f"the {kind} for {event.name} was already settled")
    raise NotFound(
        f"nothing owed for {event.name}: an {kind} is owed only after a last-minute "
        "cancellation or a no-show"
    )
