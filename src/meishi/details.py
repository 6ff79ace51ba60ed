"""What `event list`, `event show` and `contacts show` give: events and contacts as
JSON-ready values, read over the plain connection (no ORM: these pages open fast)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from meishi.relationships.timeline import timeline
from meishi.store.contacts import (
    POSITION_FIELDS,
    CardImageRecord,
    card_images_of,
    image_bytes,
    past_positions_of,
)
from meishi.store.encounters import Meeting, meetings_at, meetings_of, topics_with
from meishi.store.events import EventRecord, event_of
from meishi.store.exchanges import mail_with
from meishi.store.follow_ups import follow_ups_of
from meishi.store.meetings import topics_at
from meishi.store.search import card_of
from meishi.store.sql import ReadConnection


def event_json(event: EventRecord) -> dict[str, object]:
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


def thank_state(meeting: Meeting) -> dict[str, Any]:
    """Where the thank-you for a meeting stands: sent, drafted, pending or impossible."""
    if meeting.thanked_at is not None:
        return {"state": "sent", "at": meeting.thanked_at.astimezone().strftime("%Y-%m-%d %H:%M")}
    if meeting.draft_id is not None:
        return {"state": "drafted", "draft": meeting.draft_id}
    return {"state": "pending" if meeting.has_email else "no email"}


def event_detail(connection: ReadConnection, event_id: int) -> dict[str, Any]:
    """An event with the people met there, their topics and thank-you state, and follow-ups."""
    topics = topics_at(connection, [event_id])
    people = [
        {
            "id": meeting.contact_id,
            "name": meeting.contact_name,
            "company": meeting.company,
            "topics": topics.get(meeting.id, []),
            "thank_you": thank_state(meeting)["state"],
        }
        for meeting in meetings_at(connection, event_id)
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
        for f in follow_ups_of(connection, [event_id])
    ]
    return {
        **event_json(event_of(connection, event_id)),
        "people": people,
        "follow_ups": follow_ups,
    }


def contact_detail(connection: ReadConnection, contact_id: int, data_dir: Path) -> dict[str, Any]:
    """Everything about a contact: the card, each meeting with topics and thank-you, the
    timeline with the mail, and the kept card images (in the data folder `data_dir`)."""
    detail = card_of(connection, contact_id)
    meetings = meetings_of(connection, contact_id)
    topics = topics_with(connection, contact_id)
    detail["encounters"] = [
        {
            "event": {
                "id": meeting.event_id,
                "name": meeting.event_name,
                "date": meeting.event_date.isoformat(),
            },
            "topics": topics.get(meeting.id, []),
            "note": meeting.note,
            "thank_you": thank_state(meeting),
        }
        for meeting in meetings
    ]
    detail["timeline"] = timeline(meetings, mail_with(connection, contact_id))
    detail["past_positions"] = [
        {"until": past.until.isoformat(), **{name: getattr(past, name) for name in POSITION_FIELDS}}
        for past in past_positions_of(connection, contact_id)
    ]
    detail["card_images"] = [
        {
            "path": str(_on_this_machine(connection, image, data_dir)),
            "fields": json.loads(image.fields or "{}"),
        }
        for image in card_images_of(connection, contact_id)
    ]
    return detail


def _on_this_machine(connection: ReadConnection, image: CardImageRecord, data_dir: Path) -> Path:
    """The image's file in the data folder (stored paths are relative to it), written from
    the store first when the store (a server) holds the image and this machine has no copy."""
    path = data_dir / image.path
    if image.held and not path.exists():
        from meishi.files import own_output, private_dir  # rare: a page otherwise writes nothing

        private_dir(path.parent)
        with own_output(path) as out:
            out.write(image_bytes(connection, image.id))
    return path
