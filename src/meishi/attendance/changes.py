"""Attendance changes of stored events: the first status, each change, what a meeting proves.

The rules are in attendance/rules.py; what a change leaves owed is in attendance/owed.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from meishi import limits
from meishi.attendance.owed import create_obligations, forgive
from meishi.attendance.rules import (
    ASSUMED,
    ATTENDED,
    CANCELLED,
    LAST_MINUTE_WINDOW,
    NO_SHOW,
    REGISTERED,
    cancelled_late,
    check_change,
    day_open,
    has_started,
)
from meishi.errors import BadValue
from meishi.models import AttendanceChange, Event, Obligation, id_of
from meishi.store.attendance import (
    last_recorded_change,
    latest_change_to,
)
from meishi.store.resolve import raw_connection
from meishi.validation import optional_text

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass
class Change:
    """A status change and the obligations it created."""

    change: AttendanceChange
    owed: list[Obligation] = field(default_factory=list)


def cancellation_reason(session: Session, event: Event) -> str:
    """The reason given with the latest cancellation or no-show of an event, or ""."""
    latest = latest_change_to(session, id_of(event), event.attendance)
    return (latest.reason or "") if latest else ""


def initial_status(session: Session, event: Event, now: dt.datetime) -> None:
    """A new event is registered if it lies ahead, attended if it has taken place.

    One dated today without a start time lies ahead until the day ends.
    """
    started = has_started(event, now) and not day_open(event.date, event.start_time, now)
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
    open_day = day_open(event.date, event.start_time, now)
    check_change(event.name, current, new, has_started(event, now), open_day, str(event.id))
    when = at or now
    if when > now:
        raise BadValue(f"{when:%Y-%m-%d %H:%M} is in the future; record a change once it happened")
    late = new == CANCELLED and cancelled_late(event.date, event.start_time, when, window)
    if new == ATTENDED:
        forgive(raw_connection(session), event)  # you went after all: nothing is owed
    event.attendance = new
    change = AttendanceChange(
        event_id=id_of(event), status=new, at=when, last_minute=late, reason=reason
    )
    session.add(change)
    owed = create_obligations(session, event) if late or new == NO_SHOW else []
    session.flush()
    return Change(change, owed)


def _assumed(session: Session, event: Event) -> bool:
    """True when the current status is only the assumption made when the event was added."""
    latest = last_recorded_change(session, id_of(event))
    return latest is not None and latest.reason == ASSUMED
