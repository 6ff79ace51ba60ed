"""Plain input records: what a card, an event or a file says, before it meets the store.

No database imports here: the format readers, the scanner and the commands build these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CardInput:
    """What one card (and one conversation) says about a person."""

    name: str
    reading: str | None = None
    company: str | None = None
    department: str | None = None
    title: str | None = None
    phone: str | None = None
    lang: str | None = None
    emails: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    note: str | None = None  # about this encounter


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
    name_en: str | None = None


@dataclass
class CardRecord:
    """One person's card as a file gave it, before it meets the store."""

    line: int
    name: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    reading: str | None = None
    family_reading: str | None = None
    given_reading: str | None = None
    company: str | None = None
    department: str | None = None
    title: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    met_on: dt.date | None = None  # the day cards were exchanged
    # What a card says that no contact column holds yet; a scanned card keeps it beside
    # its image. Phones as (kind, number): kind "phone", "mobile" or "fax".
    typed_phones: list[tuple[str, str]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    address_parts: list[str] = field(default_factory=list)  # vCard ADR: box;ext;street;...


@dataclass
class EventRecord:
    """One event (one occurrence of a series) as a calendar gave it."""

    line: int
    event: EventInput


@dataclass
class DumpRecord:
    """A whole meishi JSON dump, restored as one record."""

    line: int
    data: dict[str, Any]


@dataclass
class BadRecord:
    """A record that cannot be imported, and what is wrong with it."""

    line: int
    problem: str


Record = CardRecord | EventRecord | DumpRecord | BadRecord


def reason(error: Exception) -> str:
    """A parser's complaint in a few words, on one line."""
    return (" ".join(str(error).split()) or type(error).__name__)[:120]
