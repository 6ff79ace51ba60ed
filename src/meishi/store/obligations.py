"""What you owe organizers, over the plain connection: open apologies and fees, each with the
event it is owed for; and settling or forgiving them."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from meishi.store.sql import ReadConnection, day, moment, written


class Owed(NamedTuple):
    """One open obligation, with its event's name, date and organizer."""

    id: int
    kind: str  # apology or fee
    amount: int | None  # the fee owed, in yen
    created_at: dt.datetime  # aware, UTC
    event_id: int
    event_name: str
    event_date: dt.date
    organizer: str | None

    def to_json(self) -> dict[str, object]:
        """What is owed, with the event and organizer it is owed to, as JSON-ready values
        (since: the local day it was owed from)."""
        return {
            "kind": self.kind,
            "amount": self.amount,
            "event": {
                "id": self.event_id,
                "name": self.event_name,
                "date": self.event_date.isoformat(),
            },
            "organizer": self.organizer,
            "since": self.created_at.astimezone().date().isoformat(),
        }


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


def ever_owed(connection: ReadConnection, event_id: int, kind: str) -> bool:
    """True when something of this kind was owed for the event (open or settled since)."""
    row = connection.execute(
        "SELECT 1 FROM obligation WHERE event_id = ? AND kind = ? LIMIT 1", (event_id, kind)
    ).fetchone()
    return row is not None


def settle(connection: ReadConnection, obligation_id: int, now: dt.datetime, **how: Any) -> None:
    """Record an obligation settled now, with how (an apology's `how`, a fee's `paid`)."""
    columns = {"settled_at": written(connection, now), **how}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    query = f"UPDATE obligation SET {assignments} WHERE id = ?"
    connection.execute(query, [*columns.values(), obligation_id])


def forgive(connection: ReadConnection, event_id: int) -> None:
    """Drop what is still owed for an event."""
    connection.execute(
        "DELETE FROM obligation WHERE event_id = ? AND settled_at IS NULL", (event_id,)
    )
