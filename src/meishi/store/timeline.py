"""The mail recorded with a contact, for their timeline: a plain record over the plain
connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from meishi.store.sql import ReadConnection, moment


@dataclass(frozen=True)
class Mail:
    """One mail between you and a contact: out (you wrote) or in (they wrote)."""

    direction: str
    date: dt.datetime
    subject: str


def mail_with(connection: ReadConnection, contact_id: int) -> list[Mail]:
    """The mail sync recorded with a contact, but for thank-yous (shown as such already)."""
    rows = connection.execute(
        "SELECT direction, date, subject FROM exchange"
        " WHERE contact_id = ? AND encounter_id IS NULL ORDER BY date, id",
        (contact_id,),
    )
    return [Mail(direction, moment(date), subject) for direction, date, subject in rows]
