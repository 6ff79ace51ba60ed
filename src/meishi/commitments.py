"""Your commitments to events in the store: attendance changes and what you owe.

The rules are in attendance.py; this module applies them to stored events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from meishi import limits
from meishi.attendance import (
    ATTENDED,
    CANCELLED,
    LAST_MINUTE_WINDOW,
    NO_SHOW,
    REGISTERED,
    Outcome,
    check_change,
    event_start,
    is_last_minute,
)
from meishi.errors import BadValue, NotFound, NothingToDo
from meishi.models import AttendanceChange, Event, Obligation, id_of
from meishi.validation import check_amount, check_choice, optional_text

APOLOGY, FEE = "apology", "fee"
# An event added after it took place is assumed attended until you say otherwise.
ASSUMED = "assumed: added after it took place"
APOLOGY_WAYS = ("in-person", "phone", "mail")


@dataclass
class Change:
    """A status change and the obligations it created."""

    change: AttendanceChange
    owed: list[Obligation] = field(default_factory=list)


def has_started(event: Event, now: dt.datetime) -> bool:
    """True once the event's start time has come."""
    return now >= event_start(event.date, event.start_time)


def initial_status(session: Session, event: Event, now: dt.datetime) -> None:
    """A new event is registered if it lies ahead, attended if it has taken place."""
    started = has_started(event, now)
    event.attendance = ATTENDED if started else REGISTERED
    reason = ASSUMED if started else None
    session.add(
        AttendanceChange(event_id=id_of(event), status=event.attendance, at=now, reason=reason)
    )


def change_attendance(
    session: Session,
    event: Event,
    new: str,
    now: dt.datetime,
    at: dt.datetime | None = None,
    reason: str | None = None,
    window: dt.timedelta = LAST_MINUTE_WINDOW,
) -> Change:
    """Move your status for an event, creating obligations after a last-minute cancellation."""
    reason = optional_text(reason, "reason", limits.REASON_CHARS)
    current = REGISTERED if _assumed(session, event) else event.attendance
    check_change(event.name, current, new, has_started(event, now))
    when = at or now
    if when > now:
        raise BadValue(f"{when:%Y-%m-%d %H:%M} is in the future; record a change once it happened")
    start = event_start(event.date, event.start_time)
    late = new == CANCELLED and is_last_minute(start, when, window)
    if new == ATTENDED:
        _forgive(session, event)  # you went after all: nothing is owed
    event.attendance = new
    change = AttendanceChange(
        event_id=id_of(event), status=new, at=when, last_minute=late, reason=reason
    )
    session.add(change)
    owed = _create_obligations(session, event) if late or new == NO_SHOW else []
    session.flush()
    return Change(change, owed)


def _assumed(session: Session, event: Event) -> bool:
    """True when the current status is only the assumption made when the event was added."""
    latest = session.exec(
        select(AttendanceChange)
        .where(AttendanceChange.event_id == event.id)
        .order_by(col(AttendanceChange.id).desc())
    ).first()
    return latest is not None and latest.reason == ASSUMED


def attended_by_meeting(session: Session, event: Event, now: dt.datetime) -> None:
    """Meeting someone at an event that has started means you were there."""
    unconfirmed = event.attendance in (REGISTERED, NO_SHOW) or _assumed(session, event)
    if unconfirmed and has_started(event, now):
        change_attendance(session, event, ATTENDED, now, reason="met someone there")


def _create_obligations(session: Session, event: Event) -> list[Obligation]:
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


def _forgive(session: Session, event: Event) -> None:
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


def outcomes(session: Session) -> list[Outcome]:
    """Every event with your status, and whether its cancellation was last-minute."""
    late_ids = set(
        session.exec(
            select(AttendanceChange.event_id).where(
                AttendanceChange.status == CANCELLED, col(AttendanceChange.last_minute)
            )
        ).all()
    )
    events = session.exec(select(Event).order_by(col(Event.date), col(Event.id))).all()
    return [
        Outcome(
            event_id=id_of(e),
            name=e.name,
            on=e.date,
            status=e.attendance,
            organizer=e.organizer_name,
            series=e.series,
            last_minute=e.attendance == CANCELLED and e.id in late_ids,
        )
        for e in events
    ]


def owed_json(session: Session, obligations: list[Obligation]) -> list[dict[str, Any]]:
    """What is owed, with the event and organizer it is owed to."""
    rows: list[dict[str, Any]] = []
    for obligation in obligations:
        event = session.get(Event, obligation.event_id)
        assert event is not None
        rows.append(
            {
                "kind": obligation.kind,
                "amount": obligation.amount,
                "event": {"id": event.id, "name": event.name, "date": event.date.isoformat()},
                "organizer": event.organizer_name,
                "since": obligation.created_at.astimezone().date().isoformat(),
            }
        )
    return rows
