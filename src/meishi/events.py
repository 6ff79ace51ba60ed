"""Events and what their organizers did afterwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, replace
from typing import Any

from sqlmodel import Session, col, select

from meishi import limits
from meishi.attendance.changes import initial_status
from meishi.contacts import emails_of, thank_state, topics_of
from meishi.errors import BadValue, NothingToDo
from meishi.inputs import EventInput
from meishi.mail import message as mail
from meishi.mail_follow_ups import found_in_mail
from meishi.models import Contact, Encounter, Event, OrganizerFollowUp, id_of
from meishi.should_return.rules import FOLLOW_UP_KINDS
from meishi.validation import check_amount, check_choice, check_date, optional_text, required_text

# Optional one-line texts: they reach subjects and headers (the organizer's name is an
# apology's To).
EVENT_TEXTS = ("place", "series", "organizer_name", "name_en")


def check_event(given: EventInput) -> EventInput:
    """The event's fields validated: every way an event comes in (typed, imported, restored)."""
    name = required_text(given.name, "event name", limits.EVENT_FIELD_CHARS)
    texts: dict[str, Any] = {
        key: optional_text(getattr(given, key), key.replace("_", " "), limits.EVENT_FIELD_CHARS)
        for key in EVENT_TEXTS
    }
    email = optional_text(given.organizer_email, "organizer email", limits.EMAIL_CHARS)
    if given.fee is not None:
        check_amount(given.fee, "fee", "give the fee in yen")
    return replace(
        given,
        name=name,
        date=check_date(given.date, "event date"),
        organizer_email=mail.check_email(email) if email else None,
        **texts,
    )


def add_event(session: Session, given: EventInput, now: dt.datetime) -> Event:
    """Store a new event after checking its fields."""
    event = Event(**asdict(check_event(given)))
    session.add(event)
    session.flush()
    initial_status(session, event, now)
    return event


def edit_event(session: Session, event: Event, changes: dict[str, Any]) -> list[str]:
    """Change some of an event's fields; the names of those that changed."""
    current = EventInput(**{name: getattr(event, name) for name in EventInput.__dataclass_fields__})
    checked = check_event(replace(current, **changes))
    changed = [name for name in changes if getattr(checked, name) != getattr(event, name)]
    for name in changed:
        setattr(event, name, getattr(checked, name))
    session.flush()
    return changed


def list_events(session: Session) -> list[Event]:
    """Every event, newest first."""
    query = select(Event).order_by(col(Event.date).desc(), col(Event.id).desc())
    return list(session.exec(query).all())


def record_follow_up(
    session: Session, event: Event, kind: str, on: dt.date, note: str | None, today: dt.date
) -> OrganizerFollowUp:
    """Record what the organizer did after an event; one found in mail for the same event and
    kind becomes this one (the mail kept as its evidence)."""
    check_choice(kind, FOLLOW_UP_KINDS, "follow-up")
    check_date(on)
    if on < event.date:
        raise BadValue(f"{on} is before the event ({event.date}); a follow-up comes after it")
    if on > today:
        raise BadValue(f"{on} is in the future; record a follow-up once it has happened")
    note = optional_text(note, "note", limits.NOTE_CHARS, lines=True)
    joined = found_in_mail(session, id_of(event), kind)
    if joined is not None and joined.source == "mail":  # one follow-up: yours, with the mail
        joined.source, joined.date, joined.note = "hand", on, note
        session.flush()
        return joined
    _refuse_twin(session, event, kind, on)
    follow_up = OrganizerFollowUp(event_id=id_of(event), kind=kind, date=on, note=note)
    session.add(follow_up)
    session.flush()
    return follow_up


def _refuse_twin(session: Session, event: Event, kind: str, on: dt.date) -> None:
    """Refuse a follow-up that is already recorded: the same event, kind and date."""
    query = select(OrganizerFollowUp.id).where(
        OrganizerFollowUp.event_id == event.id,
        OrganizerFollowUp.kind == kind,
        OrganizerFollowUp.date == on,
    )
    known = session.exec(query).first()
    if known is not None:
        raise NothingToDo(
            f"{kind} on {on} is already recorded for {event.name} (follow-up #{known}); "
            f"if that one is wrong: meishi followup delete {known}"
        )


def follow_ups_of(session: Session, event_ids: list[int]) -> list[OrganizerFollowUp]:
    """The organizer follow-ups recorded for these events, oldest first."""
    query = (
        select(OrganizerFollowUp)
        .where(col(OrganizerFollowUp.event_id).in_(event_ids))
        .order_by(col(OrganizerFollowUp.date), col(OrganizerFollowUp.id))
    )
    return list(session.exec(query).all())


def event_json(event: Event) -> dict[str, object]:
    """An event as plain JSON-ready values."""
    return {
        "id": event.id,
        "name": event.name,
        "name_en": event.name_en,
        "date": event.date.isoformat(),
        "time": event.start_time.strftime("%H:%M") if event.start_time else None,
        "place": event.place,
        "series": event.series,
        "organizer": event.organizer_name,
        "organizer_email": event.organizer_email,
        "fee": event.fee,
        "status": event.attendance,  # your own: registered, attended, cancelled or no-show
    }


def event_detail(session: Session, event: Event) -> dict[str, Any]:
    """An event with the people met there, their topics and thank-you state, and follow-ups."""
    assert event.id is not None
    query = (
        select(Encounter, Contact)
        .join(Contact, col(Contact.id) == col(Encounter.contact_id))
        .where(Encounter.event_id == event.id)
        .order_by(col(Encounter.id))
    )
    people = [
        {
            "id": contact.id,
            "name": contact.full_name,
            "company": contact.company,
            "topics": topics_of(session, encounter),
            "thank_you": thank_state(session, encounter, bool(emails_of(session, contact)))[
                "state"
            ],
        }
        for encounter, contact in session.exec(query).all()
    ]
    follow_ups = [
        {
            "id": f.id,
            "kind": f.kind,
            "date": f.date.isoformat(),
            "note": f.note,
            "source": f.source,
            "subject": f.subject,
        }
        for f in follow_ups_of(session, [event.id])
    ]
    return {**event_json(event), "people": people, "follow_ups": follow_ups}
