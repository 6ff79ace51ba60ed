"""Events and what their organizers did afterwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from meishi import limits
from meishi.attendance.changes import initial_status
from meishi.errors import BadValue, NothingToDo
from meishi.inputs import EventInput
from meishi.mail import message as mail
from meishi.mail_follow_ups import found_in_mail
from meishi.models import Event, OrganizerFollowUp, id_of
from meishi.should_return.rules import FOLLOW_UP_KINDS
from meishi.store.follow_ups import follow_ups_of
from meishi.store.resolve import raw_connection
from meishi.validation import check_amount, check_choice, check_date, optional_text, required_text

if TYPE_CHECKING:
    from sqlmodel import Session

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
    recorded = follow_ups_of(raw_connection(session), [id_of(event)])
    known = next((f.id for f in recorded if (f.kind, f.date) == (kind, on)), None)
    if known is not None:
        raise NothingToDo(
            f"{kind} on {on} is already recorded for {event.name} (follow-up #{known}); "
            f"if that one is wrong: meishi followup delete {known}"
        )
