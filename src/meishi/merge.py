"""Merging two contacts who are one person, keeping every encounter, topic and draft."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from meishi.card_fields import CARD_FIELDS
from meishi.errors import BadValue
from meishi.models import Contact, Encounter, Topic, id_of, in_utc
from meishi.store.adding import topics_of
from meishi.store.merging import (
    email_rows,
    mail_both_have,
    meeting_at,
    meetings_of,
    move_meeting_mail,
    move_owned_rows,
)
from meishi.store.resolve import raw_connection

if TYPE_CHECKING:
    from sqlmodel import Session


def merge_contacts(session: Session, keep: Contact, other: Contact, now: dt.datetime) -> list[str]:
    """Fold `other` into `keep` at `now` and delete it; the fields of keep filled from it."""
    if keep.id == other.id:
        raise BadValue(f"#{keep.id} {keep.full_name} is the same contact twice; name two")
    filled = [name for name in CARD_FIELDS if not getattr(keep, name) and getattr(other, name)]
    for name in filled:
        setattr(keep, name, getattr(other, name))
    if other.note and other.note not in (keep.note or ""):
        keep.note = f"{keep.note}\n{other.note}" if keep.note else other.note
    _move_emails(session, keep, other)
    for encounter in meetings_of(session, id_of(other)):
        _move_encounter(session, keep, encounter)
    _drop_shared_mail(session, keep, other)
    # Every other row of theirs (drafts, card images, tables to come): deleting `other`
    # would cascade to them. Emails and encounters were moved above, with their positions.
    move_owned_rows(session, id_of(other), id_of(keep), {"contactemail", "encounter"})
    keep.created_at = min(keep.created_at, other.created_at)
    keep.updated_at = in_utc(now)
    session.flush()
    session.delete(other)
    session.flush()
    return filled


def _drop_shared_mail(session: Session, keep: Contact, other: Contact) -> None:
    """Forget the other's record of mail that keep has too (one mail sent to both addresses):
    once theirs, it would be the same exchange twice."""
    for exchange in mail_both_have(session, id_of(keep), id_of(other)):
        session.delete(exchange)
    session.flush()


def _move_emails(session: Session, keep: Contact, other: Contact) -> None:
    """Give keep the other's addresses, after its own."""
    start = len(email_rows(session, id_of(keep)))
    for position, row in enumerate(email_rows(session, id_of(other)), start=start):
        row.contact_id, row.position = id_of(keep), position
    session.flush()


def _move_encounter(session: Session, keep: Contact, encounter: Encounter) -> None:
    """Move an encounter to keep, joining it with keep's own at the same event if any."""
    twin = meeting_at(session, id_of(keep), encounter.event_id)
    if twin is None:
        encounter.contact_id = id_of(keep)
        session.flush()
        return
    plain = raw_connection(session)  # what the session holds flushed first
    known = topics_of(plain, id_of(twin))
    new = [text for text in topics_of(plain, id_of(encounter)) if text not in known]
    for position, text in enumerate(new, start=len(known)):
        session.add(Topic(encounter_id=id_of(twin), position=position, text=text))
    if encounter.note and encounter.note not in (twin.note or ""):
        twin.note = f"{twin.note}\n{encounter.note}" if twin.note else encounter.note
    twin.thanked_at = twin.thanked_at or encounter.thanked_at
    move_meeting_mail(session, id_of(encounter), id_of(twin))
    session.flush()
    session.delete(encounter)
    session.flush()
