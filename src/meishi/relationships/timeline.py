"""A contact's history by date: meetings, thank-yous and the mail both ways."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from meishi.models import Contact, Encounter, Event, Exchange

# Kinds in the order they are shown within one day: you met, thanked, then wrote.
KINDS = ("met", "thank-you", "mail out", "mail in")


def timeline(session: Session, contact: Contact) -> list[dict[str, Any]]:
    """Every encounter, thank-you and mail with `contact`, oldest first, as JSON-ready rows."""
    entries = [*_meetings(session, contact), *_mail(session, contact)]
    entries.sort(key=lambda entry: (entry["date"], KINDS.index(entry["kind"])))
    return entries


def _meetings(session: Session, contact: Contact) -> list[dict[str, Any]]:
    """The gatherings where you met, and the thank-yous that followed."""
    query = (
        select(Encounter, Event)
        .join(Event, col(Event.id) == col(Encounter.event_id))
        .where(Encounter.contact_id == contact.id)
    )
    entries = []
    for encounter, event in session.exec(query).all():
        entries.append(_entry(event.date, "met", f"met at {event.name}"))
        if encounter.thanked_at is not None:
            thanked = _day(encounter.thanked_at)
            entries.append(_entry(thanked, "thank-you", f"thank-you sent for {event.name}"))
    return entries


def _mail(session: Session, contact: Contact) -> list[dict[str, Any]]:
    """The mail sync recorded, but for thank-yous (shown as such already)."""
    query = select(Exchange).where(
        Exchange.contact_id == contact.id, col(Exchange.encounter_id).is_(None)
    )
    entries = []
    for mail in session.exec(query).all():
        who = "they wrote" if mail.direction == "in" else "you wrote"
        entries.append(
            _entry(_day(mail.date), f"mail {mail.direction}", f"{who}: “{mail.subject}”")
        )
    return entries


def _entry(day: dt.date, kind: str, text: str) -> dict[str, Any]:
    """One line of the timeline."""
    return {"date": day.isoformat(), "kind": kind, "text": text}


def _day(moment: dt.datetime) -> dt.date:
    """The local day of a stored time (stored in UTC, naive once read back)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone().date()
