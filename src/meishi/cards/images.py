"""Scanned cards kept with their contacts, and turning what was read into a card to add."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from meishi import home, limits
from meishi.cards.fields import CardFields
from meishi.files import own_output
from meishi.inputs import KEPT, CardInput, card_fields
from meishi.models import CardImage, Contact, id_of
from meishi.validation import check_choice, check_text

# Fields read from a card that the contact has no column for; kept with the image.
EXTRA_FIELDS = card_fields(KEPT)


def card_input(
    read: CardFields, topics: tuple[str, ...] = (), note: str | None = None, lang: str | None = None
) -> CardInput:
    """The card to add from the fields read: the phone is the office number, else the mobile."""
    email = read.get("email")
    return CardInput(
        name=read.get("name") or "",
        reading=read.get("reading"),
        company=read.get("company"),
        department=read.get("department"),
        title=read.get("title"),
        phone=read.get("phone") or read.get("mobile"),
        lang=lang,
        emails=(email,) if email else (),
        topics=topics,
        note=note,
    )


def extras(read: CardFields) -> dict[str, str]:
    """What was read that only the kept card image remembers."""
    return {name: value for name in EXTRA_FIELDS if (value := read.get(name))}


def check_extras(fields: dict[str, str]) -> dict[str, str]:
    """The extra fields of a card, checked as the card's own fields are (a QR code may lie)."""
    for name in fields:
        check_choice(name, EXTRA_FIELDS, "card field")
    return {
        name: check_text(value, name.replace("_", " "), limits.CARD_FIELD_CHARS)
        for name, value in fields.items()
    }


def attach(
    session: Session, contact: Contact, stored: Path, sha256: str, fields: dict[str, str]
) -> CardImage:
    """Link a kept image to the contact (once per image)."""
    fields = check_extras(fields)
    query = select(CardImage).where(CardImage.contact_id == contact.id, CardImage.sha256 == sha256)
    image = session.exec(query).first()
    if image is None:
        relative = stored.relative_to(home.data_dir()).as_posix()
        image = CardImage(contact_id=id_of(contact), path=relative, sha256=sha256)
        session.add(image)
    image.fields = json.dumps(fields, ensure_ascii=False) if fields else image.fields
    session.flush()
    return image


def card_images_of(session: Session, contact: Contact) -> list[dict[str, Any]]:
    """The contact's kept card images, oldest first: full path and the extra fields read."""
    query = select(CardImage).where(CardImage.contact_id == contact.id).order_by(col(CardImage.id))
    return [
        {"path": str(home.data_dir() / image.path), "fields": json.loads(image.fields or "{}")}
        for image in session.exec(query)
    ]


@dataclass(frozen=True)
class KeptImage:
    """A card image on its way into the home's cards/ folder: where it goes, and its SHA-256."""

    path: Path
    sha256: str


@contextmanager
def kept_image(source: Path) -> Iterator[KeptImage]:
    """The image's place in cards/ (owner-only) and its SHA-256; the copy is written there
    only when the block ends without an error, so that a rolled-back card leaves no file."""
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    folder = home.private_dir(home.data_dir() / "cards")
    kept = KeptImage(folder / f"{digest[:16]}{source.suffix.lower()}", digest)
    yield kept
    if not kept.path.exists():
        with own_output(kept.path) as out:
            out.write(data)
