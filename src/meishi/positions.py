"""Job changes (転職・異動): the company, department and title a contact had before."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from meishi.models import Contact, PastPosition, id_of, in_utc
from meishi.store.contacts import POSITION_FIELDS

if TYPE_CHECKING:
    from sqlmodel import Session


def moves(changed: list[str]) -> bool:
    """True when these changed fields make a job change."""
    return any(name in POSITION_FIELDS for name in changed)


def keep_past_position(session: Session, contact: Contact, now: dt.datetime) -> bool:
    """Remember where the contact works now, before it changes; False if nowhere was known."""
    held = {name: getattr(contact, name) for name in POSITION_FIELDS}
    if not any(held.values()):
        return False
    past = PastPosition(contact_id=id_of(contact), until=now.date(), created_at=in_utc(now), **held)
    session.add(past)
    return True
