"""Events and what their organizers did afterwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlmodel import Session, and_, col, or_, select

from meishi import mail
from meishi.commitments import initial_status
from meishi.contacts import emails_of, thank_state, topics_of
from meishi.errors import BadValue
from meishi.models import Contact, Encounter, Event, OrganizerFollowUp, id_of
from meishi.text import blank_to_none, required

FOLLOW_UP_KINDS = {
    "thanks": "the organizer thanked participants",
    "survey": "the organizer sent a satisfaction survey",
    "report": "the organizer shared a report or minutes",
    "invite": "the organizer invited you to the next one",
}


@dataclass(frozen=True)
class EventInput:
    """What `meishi event add` was told."""

    name: str
    date: dt.date
    start_time: dt.time | None = None
    place: str | None = None
    series: str | None = None
    organizer_name: str | None = None
    organizer_email: str | None = None
    fee: int | None = None


# Single-line fields: they reach subjects and headers (the organizer's name is an apology's To).
EVENT_SINGLE_LINE = ("name", "place", "series", "organizer_name")


def check_event(given: EventInput) -> EventInput:
    """The event's fields validated: one-line texts, a fee of 0 or more, a valid email."""
    name = required(given.name, "event name")
    for field_name in EVENT_SINGLE_LINE:  # checked before stripping: a leading CR/LF too
        value = getattr(given, field_name)
        if value:
            mail.check_header_value(value, field_name.replace("_", " "), f"event '{name}'")
    if given.fee is not None and given.fee < 0:
        raise BadValue(f"invalid fee {given.fee}; give the fee in yen, 0 or more")
    return replace(
        given,
        name=name,
        place=blank_to_none(given.place),
        series=blank_to_none(given.series),
        organizer_name=blank_to_none(given.organizer_name),
        organizer_email=mail.check_email(given.organizer_email) if given.organizer_email else None,
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


def latest_started_event(session: Session, now: dt.datetime) -> Event | None:
    """The most recent event that has started by now (one without a time starts at 00:00)."""
    today, clock = now.date(), now.time().replace(tzinfo=None)
    started_today = or_(col(Event.start_time).is_(None), col(Event.start_time) <= clock)
    query = (
        select(Event)
        .where(or_(Event.date < today, and_(Event.date == today, started_today)))
        .order_by(col(Event.date).desc(), col(Event.start_time).desc(), col(Event.id).desc())
    )
    return session.exec(query).first()


def record_follow_up(
    session: Session, event: Event, kind: str, on: dt.date, note: str | None, today: dt.date
) -> OrganizerFollowUp:
    """Record what the organizer did after an event."""
    if kind not in FOLLOW_UP_KINDS:
        raise BadValue(f"unknown follow-up '{kind}'; use one of: {', '.join(FOLLOW_UP_KINDS)}")
    if on < event.date:
        raise BadValue(f"{on} is before the event ({event.date}); a follow-up comes after it")
    if on > today:
        raise BadValue(f"{on} is in the future; record a follow-up once it has happened")
    follow_up = OrganizerFollowUp(
        event_id=id_of(event), kind=kind, date=on, note=blank_to_none(note)
    )
    session.add(follow_up)
    session.flush()
    return follow_up


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
        "date": event.date.isoformat(),
        "time": event.start_time.strftime("%H:%M") if event.start_time else None,
        "place": event.place,
        "series": event.series,
        "organizer": event.organizer_name,
        "organizer_email": event.organizer_email,
        "fee": event.fee,
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
        {"kind": f.kind, "date": f.date.isoformat(), "note": f.note}
        for f in follow_ups_of(session, [event.id])
    ]
    return {**event_json(event), "people": people, "follow_ups": follow_ups}
