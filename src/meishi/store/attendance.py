"""Attendance's queries: the changes of your status recorded for each event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import col, select

from meishi.models import AttendanceChange

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
