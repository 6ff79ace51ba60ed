"""What you owe after a last-minute cancellation or a no-show: an apology, and the fee.

Created by attendance changes (attendance/changes.py), settled when you say so (on the
plain connection: settling loads no ORM).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

from meishi.attendance.rules import APOLOGY, FEE
from meishi.errors import BadValue, NotFound, NothingToDo
from meishi.store import obligations
from meishi.store.obligations import Owed, open_obligations
from meishi.store.resolve import raw_connection
from meishi.validation import check_amount, check_choice

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.models import Event, Obligation
    from meishi.store.sql import ReadConnection

APOLOGY_WAYS = ("in-person", "phone", "mail")


class Owing(Protocol):
    """An event something is owed for: an ORM row or a plain record."""

    @property
    def id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


def create_obligations(session: Session, event: Event) -> list[Obligation]:
    """An apology to the organizer always; the fee when the event has one (each unless it
    is owed already)."""
    from meishi.models import Obligation  # the ORM's row: settling imports no ORM

    wanted = [(APOLOGY, None)] + ([(FEE, event.fee)] if event.fee else [])
    owing = {owed.kind for owed in open_obligations(raw_connection(session), _id(event))}
    fresh = [
        Obligation(event_id=_id(event), kind=kind, amount=amount)
        for kind, amount in wanted
        if kind not in owing
    ]
    session.add_all(fresh)
    return fresh


def apology_owed_ever(connection: ReadConnection, event: Owing) -> bool:
    """True when an apology was owed for the event (open or already settled)."""
    return obligations.ever_owed(connection, _id(event), APOLOGY)


def forgive(connection: ReadConnection, event: Owing) -> None:
    """Drop what is still owed for an event."""
    obligations.forgive(connection, _id(event))


def settle_apology(connection: ReadConnection, event: Owing, how: str, now: dt.datetime) -> None:
    """Record that you apologized to the organizer."""
    check_choice(how, APOLOGY_WAYS, "way")
    owed = _to_settle(connection, event, APOLOGY)
    obligations.settle(connection, owed.id, now, how=how)


def settle_fee(
    connection: ReadConnection, event: Owing, amount: int | None, now: dt.datetime
) -> int:
    """Record that you paid the fee for the seat you left empty; the yen paid."""
    if amount is not None:  # checked before anything else: a refusal leaves the store as it was
        check_amount(amount, "amount", "give the yen paid with --amount", smallest=1)
    owed = _to_settle(connection, event, FEE)
    paid = owed.amount if amount is None else amount
    if not paid:
        raise BadValue(f"no fee is recorded for {event.name}; give the yen paid with --amount")
    obligations.settle(connection, owed.id, now, paid=paid)
    return paid


def _to_settle(connection: ReadConnection, event: Owing, kind: str) -> Owed:
    """The open obligation to settle, or a clear refusal."""
    found = [o for o in open_obligations(connection, _id(event)) if o.kind == kind]
    if found:
        return found[0]
    if obligations.ever_owed(connection, _id(event), kind):
        raise NothingToDo(f"the {kind} for {event.name} was already settled")
    raise NotFound(
        f"nothing owed for {event.name}: an {kind} is owed only after a last-minute "
        "cancellation or a no-show"
    )


def _id(event: Owing) -> int:
    """The id of a stored event."""
    assert event.id is not None
    return event.id
