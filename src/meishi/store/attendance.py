"""Attendance's queries: the changes of your status recorded for each event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import col, select

from meishi.models import AttendanceChange, Event

if TYPE_CHECKING:
    from sqlmodel import Session


def latest_change_to(session: Session, event_id: int, status: str) -> AttendanceChange | None:
    """The event's change to this status that happened last, or None."""
    query = (
        select(AttendanceChange)
        .where(AttendanceChange.event_id == event_id, AttendanceChange.status == status)
        .order_by(col(AttendanceChange.at).desc(), col(AttendanceChange.id).desc())
    )
    return session.exec(query).first()


def last_recorded_change(session: Session, event_id: int) -> AttendanceChange | None:
    """The event's change recorded last, or None."""
    query = (
        select(AttendanceChange)
        .where(AttendanceChange.event_id == event_id)
        .order_by(col(AttendanceChange.id).desc())
    )
    return session.exec(query).first()


def late_changes_to(session: Session, status: str) -> set[int]:
    """The events with a last-minute change to this status."""
    query = select(AttendanceChange.event_id).where(
        AttendanceChange.status == status, col(AttendanceChange.last_minute)
    )
    return set(session.exec(query))


def events_by_date(session: Session) -> list[Event]:
    """Every event, earliest first."""
    return list(session.exec(select(Event).order_by(col(Event.date), col(Event.id))))
