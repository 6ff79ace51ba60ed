"""What you owe organizers, read over the plain connection: open apologies and fees, each
with the event it is owed for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from meishi.store.sql import ReadConnection, day, moment


@dataclass(frozen=True)
class Owed:
    """One open obligation, with its event's name, date and organizer."""

    id: int
    kind: str  # apology or fee
    amount: int | None  # the fee owed, in yen
    created_at: dt.datetime  # aware, UTC
    event_id: int
    event_name: str
    event_date: dt.date
    organizer: str | None


OPEN = (
    "SELECT o.id, o.kind, o.amount, o.created_at, e.id, e.name, e.date, e.organizer_name"
    " FROM obligation o JOIN event e ON e.id = o.event_id WHERE o.settled_at IS NULL"
)


def open_obligations(connection: ReadConnection, event_id: int | None = None) -> list[Owed]:
    """Everything still owed (for one event, or for all), oldest first."""
    where, parameters = (" AND o.event_id = ?", (event_id,)) if event_id is not None else ("", ())
    rows = connection.execute(f"{OPEN}{where} ORDER BY o.created_at, o.id", parameters)
    return [
        Owed(key, kind, amount, moment(created), event, name, day(on), organizer)
        for key, kind, amount, created, event, name, on, organizer in rows
    ]
