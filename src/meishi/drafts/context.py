"""What templates see: the variables of a thank-you and of an apology, plain values only.

docs/templates.md lists them all (tests/test_docs.py checks it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from meishi.cards.companies import full_company_name, is_organization
from meishi.drafts.names import latin_name

if TYPE_CHECKING:
    from meishi.models import Event


class Gathering(Protocol):
    """An event as letters refer to it: an ORM row or a plain record."""

    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str | None: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def start_time(self) -> dt.time | None: ...
    @property
    def place(self) -> str | None: ...
    @property
    def series(self) -> str | None: ...
    @property
    def organizer_name(self) -> str | None: ...


class Person(Protocol):
    """A contact as a thank-you addresses them: an ORM row or a plain record."""

    @property
    def full_name(self) -> str: ...
    @property
    def family_name(self) -> str | None: ...
    @property
    def given_name(self) -> str | None: ...
    @property
    def reading(self) -> str | None: ...
    @property
    def company(self) -> str | None: ...
    @property
    def department(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...


def event_vars(event: Gathering) -> dict[str, Any]:
    """The event, as every template sees it."""
    return {
        "name": event.name,
        "name_en": event.name_en or event.name,
        "date": event.date,
        "place": event.place or "",
        "series": event.series or "",
        "time": event.start_time.strftime("%H:%M") if event.start_time else "",
    }


def common_vars(me: dict[str, str], lang: str, today: dt.date) -> dict[str, Any]:
    """You (as you write yourself in lang), the draft's language and the day it is written."""
    return {"me": me_in(me, lang), "lang": lang, "today": today}


def me_in(me: dict[str, str], lang: str) -> dict[str, str]:
    """Your details as a draft in lang shows them: in English, me.*_en where set."""
    shown = {key: value for key, value in me.items() if not key.endswith("_en")}
    if lang == "en":
        shown.update({key: me[f"{key}_en"] for key in shown if me.get(f"{key}_en")})
    return {**shown, "company": full_company_name(shown.get("company", ""))}


@dataclass(frozen=True)
class Meeting:
    """One meeting a thank-you thanks for: the event, the topics, your note."""

    event: Gathering
    topics: list[str]
    note: str | None = None


def thank_vars(
    contact: Person,
    address: str,
    event: Gathering,
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
            "company": full_company_name(contact.company or ""),
            "department": contact.department or "",
            "title": contact.title or "",
            "email": address,
            "latin_name": latin_name(contact.full_name, contact.reading or ""),
        },
        "event": _met_at(event),
        "events": [{**_met_at(m.event), "topics": m.topics, "note": m.note or ""} for m in met],
        "topics": topics,
        "note": note or "",
        **common_vars(me, lang, today),
    }


def _met_at(event: Gathering) -> dict[str, Any]:
    """An event a thank-you refers to: as every template sees it, with its organizer."""
    return {**event_vars(event), "organizer_name": event.organizer_name or ""}


def apology_vars(
    event: Event, apology: ApologyFacts, me: dict[str, str], lang: str, today: dt.date
) -> dict[str, Any]:
    """The variables an apology template sees."""
    organizer = full_company_name(event.organizer_name or "")
    return {
        "organizer": {
            "name": organizer,
            "email": event.organizer_email or "",
            "is_organization": is_organization(organizer),
            "latin_name": latin_name(organizer, ""),
        },
        "event": event_vars(event),
        "status": event.attendance,
        "fee": event.fee or 0,
        "reason": reason_clause(apology.reason),
        "before_start": apology.before_start,
        **common_vars(me, lang, today),
    }


@dataclass(frozen=True)
class ApologyFacts:
    """What an apology says beyond the event: the reason given, and whether it comes
    before the start (a notice) or after it."""

    reason: str
    before_start: bool


def reason_clause(reason: str) -> str:
    """A cancellation reason as a clause: 体調不良のため。 → 体調不良, "a cold." → "a cold"."""
    clause = reason.strip().rstrip("。、.,! ")
    for ending in ("のため", "ため", "because of"):
        clause = clause.removesuffix(ending).strip()
    return clause.removeprefix("because of ").strip()
