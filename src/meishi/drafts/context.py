"""What templates see: the variables of a thank-you and of an apology, plain values only.

docs/templates.md lists them all (tests/test_docs.py checks it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from meishi.models import Contact, Event


def event_vars(event: Event) -> dict[str, Any]:
    """The event, as every template sees it."""
    return {
        "name": event.name,
        "date": event.date,
        "place": event.place or "",
        "series": event.series or "",
    }


def common_vars(me: dict[str, str], lang: str, today: dt.date) -> dict[str, Any]:
    """You, the draft's language and the day it is written."""
    return {"me": me, "lang": lang, "today": today}


@dataclass(frozen=True)
class Meeting:
    """One meeting a thank-you thanks for: the event, the topics, your note."""

    event: Event
    topics: list[str]
    note: str | None = None


def thank_vars(
    contact: Contact,
    address: str,
    event: Event,
    topics: list[str],
    note: str | None,
    me: dict[str, str],
    lang: str,
    today: dt.date,
    meetings: list[Meeting] | None = None,
) -> dict[str, Any]:
    """The variables a thank-you template sees; `meetings` when it thanks for several
    (then `event`, `topics` and `note` are the latest's, every topic's and every note's)."""
    met = meetings or [Meeting(event, topics, note)]
    return {
        "contact": {
            "full_name": contact.full_name,
            "family_name": contact.family_name or "",
            "given_name": contact.given_name or "",
            "reading": contact.reading or "",
            "company": contact.company or "",
            "department": contact.department or "",
            "title": contact.title or "",
            "email": address,
        },
        "event": _met_at(event),
        "events": [{**_met_at(m.event), "topics": m.topics, "note": m.note or ""} for m in met],
        "topics": topics,
        "note": note or "",
        **common_vars(me, lang, today),
    }


def _met_at(event: Event) -> dict[str, Any]:
    """An event a thank-you refers to: as every template sees it, with its organizer."""
    return {**event_vars(event), "organizer_name": event.organizer_name or ""}


def apology_vars(event: Event, me: dict[str, str], lang: str, today: dt.date) -> dict[str, Any]:
    """The variables an apology template sees."""
    return {
        "organizer": {"name": event.organizer_name or "", "email": event.organizer_email or ""},
        "event": event_vars(event),
        "status": event.attendance,
        "fee": event.fee or 0,
        **common_vars(me, lang, today),
    }
