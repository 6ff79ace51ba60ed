"""What `contacts show` reads of a contact beside the card: earlier positions and the kept
card images; and a position kept when it changes. Plain records over the plain connection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import NamedTuple

from meishi.store.sql import ReadConnection, day, marks, written

# The fields that say where a contact works: changing any of them keeps the old ones.
POSITION_FIELDS = ("company", "department", "title")


class PastPosition(NamedTuple):
    """Where a contact worked until a day."""

    until: dt.date
    company: str | None
    department: str | None
    title: str | None


class CardImageRecord(NamedTuple):
    """A kept card image: its path relative to the data folder, the extra fields read (JSON),
    and whether the store holds its bytes (a server's)."""

    id: int
    path: str
    fields: str | None
    held: bool


def past_positions_of(connection: ReadConnection, contact_id: int) -> list[PastPosition]:
    """The contact's earlier positions, latest first."""
    rows = connection.execute(
        f"SELECT until, {', '.join(POSITION_FIELDS)} FROM past_position WHERE contact_id = ?"
        " ORDER BY until DESC, id DESC",
        (contact_id,),
    )
    return [PastPosition(day(until), *rest) for until, *rest in rows]


def insert_past_position(
    connection: ReadConnection,
    contact_id: int,
    held: Mapping[str, str | None],
    now: dt.datetime,
) -> None:
    """Keep where a contact worked until today (POSITION_FIELDS in `held`), stamped now."""
    columns = {
        "contact_id": contact_id,
        **{name: held.get(name) for name in POSITION_FIELDS},
        "until": written(connection, now.date()),
        "created_at": written(connection, now),
    }
    query = f"INSERT INTO past_position ({', '.join(columns)}) VALUES ({marks(columns)})"
    connection.execute(query, list(columns.values()))


def card_images_of(connection: ReadConnection, contact_id: int) -> list[CardImageRecord]:
    """The contact's kept card images, oldest first (their bytes are read apart)."""
    rows = connection.execute(
        "SELECT id, path, fields, data IS NOT NULL FROM cardimage WHERE contact_id = ? ORDER BY id",
        (contact_id,),
    )
    return [CardImageRecord(key, path, fields, bool(held)) for key, path, fields, held in rows]


def image_bytes(connection: ReadConnection, image_id: int) -> bytes:
    """The bytes of a card image the store holds."""
    row = connection.execute("SELECT data FROM cardimage WHERE id = ?", (image_id,)).fetchone()
    return bytes(row[0])
