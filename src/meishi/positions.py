"""Job changes (転職・異動): the company, department and title a contact had before."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from meishi.models import Contact, PastPosition, id_of, in_utc
from meishi.store.positions import past_positions

if TYPE_CHECKING:
    from sqlmodel import Session

# The fields that say where a contact works: changing any of them keeps the old ones.
POSITION_FIELDS = ("company", "department", "title")


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


def past_positions_of(session: Session, contact: Contact) -> list[dict[str, Any]]:
    """The contact's earlier positions, latest first, as JSON-ready values."""
    return [
        {"until": past.until.isoformat(), **{name: getattr(past, name) for name in POSITION_FIELDS}}
        for past in past_positions(session, id_of(contact))
    ]
