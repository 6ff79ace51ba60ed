"""Job changes (転職・異動): the company, department and title a contact had before."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from meishi.store.contacts import POSITION_FIELDS, insert_past_position

if TYPE_CHECKING:
    from meishi.store.adding import StoredContact
    from meishi.store.sql import ReadConnection


def moves(changed: list[str]) -> bool:
    """True when these changed fields make a job change."""
    return any(name in POSITION_FIELDS for name in changed)


def keep_past_position(
    connection: ReadConnection, contact: StoredContact, now: dt.datetime
) -> bool:
    """Remember where the contact works now, before it changes; False if nowhere was known."""
    held = {name: getattr(contact, name) for name in POSITION_FIELDS}
    if not any(held.values()):
        return False
    insert_past_position(connection, contact.id, held, now)
    return True
