"""What the format parsers yield: plain records with the line they start on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from meishi.events import EventInput

# The card fields a CSV column (or --map) can fill; several columns may fill
# email, phone, note and tags.
FIELDS = (
    "name",
    "family_name",
    "given_name",
    "reading",
    "family_reading",
    "given_reading",
    "company",
    "department",
    "title",
    "email",
    "phone",
    "note",
    "tags",
    "met_on",
)
REPEATABLE = ("email", "phone", "note", "tags")


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
