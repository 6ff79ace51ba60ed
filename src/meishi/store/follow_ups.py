"""What organizers did after their events, read over the plain connection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import NamedTuple

from meishi.store.sql import ReadConnection, day, marks


class FollowUp(NamedTuple):
    """One organizer follow-up recorded for an event (typed, or found in mail)."""

    id: int
    event_id: int
    kind: str  # thanks, survey, report or invite
    date: dt.date
    note: str | None
    source: str  # hand or mail
    subject: str | None  # the mail's, when found in mail
    message_id: str | None


def follow_ups_of(connection: ReadConnection, event_ids: Collection[int]) -> list[FollowUp]:
    """The organizer follow-ups recorded for these events, oldest first."""
    if not event_ids:
        return []
    rows = connection.execute(
        "SELECT id, event_id, kind, date, note, source, subject, message_id"
        f" FROM organizerfollowup WHERE event_id IN ({marks(event_ids)}) ORDER BY date, id",
        tuple(event_ids),
    )
    return [
        FollowUp(key, event, kind, day(on), note, source, subject, message_id)
        for key, event, kind, on, note, source, subject, message_id in rows
    ]
