"""Your record of keeping your word, read over the plain connection (no ORM: `meishi record`
opens fast). The rules that count it are in attendance/rules.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from meishi.attendance.rules import CANCELLED, Outcome, Record, build_record
from meishi.store.events import events_with_late_cancellations
from meishi.store.obligations import Owed, open_obligations
from meishi.store.sql import ReadConnection


def outcomes(connection: ReadConnection) -> list[Outcome]:
    """Every event with your status, and whether its cancellation was last-minute."""
    return [
        Outcome(
            event_id=e.id,
            name=e.name,
            on=e.date,
            status=e.attendance,
            organizer=e.organizer_name,
            series=e.series,
            last_minute=e.attendance == CANCELLED and late,
        )
        for e, late in events_with_late_cancellations(connection)
    ]


def owed_json(owed: list[Owed]) -> list[dict[str, Any]]:
    """What is owed, with the event and organizer it is owed to."""
    return [
        {
            "kind": item.kind,
            "amount": item.amount,
            "event": {
                "id": item.event_id,
                "name": item.event_name,
                "date": item.event_date.isoformat(),
            },
            "organizer": item.organizer,
            "since": item.created_at.astimezone().date().isoformat(),
        }
        for item in owed
    ]


def your_record(connection: ReadConnection, today: dt.date) -> tuple[Record, list[dict[str, Any]]]:
    """Your record of keeping your word, and what is still owed (as JSON-ready values)."""
    return build_record(outcomes(connection), today), owed_json(open_obligations(connection))
