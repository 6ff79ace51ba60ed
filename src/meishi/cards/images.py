"""Scanned cards kept with their contacts, and turning what was read into a card to add."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from meishi import limits
from meishi.card_fields import KEPT, card_fields
from meishi.cards.fields import CardFields
from meishi.files import own_output, private_dir
from meishi.inputs import CardInput
from meishi.models import CardImage
from meishi.store.card_images import image_of
from meishi.validation import check_choice, check_text

if TYPE_CHECKING:
    from sqlmodel import Session

CARDS_FOLDER = "cards"  # in the data folder; home.Home.cards names the same folder
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


def attach(session: Session, contact_id: int, kept: KeptImage, fields: dict[str, str]) -> CardImage:
    """Link a kept image to the contact (once per image)."""
    fields = check_extras(fields)
    image = image_of(session, contact_id, kept.sha256)
    if image is None:
        image = CardImage(
            contact_id=contact_id, path=kept.stored, sha256=kept.sha256, data=kept.data
        )
        session.add(image)
    image.fields = json.dumps(fields, ensure_ascii=False) if fields else image.fields
    session.flush()
    return image


@dataclass(frozen=True)
class KeptImage:
    """A card image on its way into the home's cards/ folder: where it goes, the same path
    relative to the data folder (as the store keeps it), its SHA-256, and its bytes when
    the store keeps them too (a server's, which every machine reaches)."""

    path: Path
    stored: str
    sha256: str
    data: bytes | None = None


@contextmanager
def kept_image(source: Path, data_dir: Path, in_store: bool = False) -> Iterator[KeptImage]:
    """The image's place in cards/ of the data folder (owner-only) and its SHA-256 (and its
    bytes, for a store that keeps them: `in_store`); the copy is written there only when the
    block ends without an error, so that a rolled-back card leaves no file."""
    data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{CARDS_FOLDER}/{digest[:16]}{source.suffix.lower()}"
    private_dir(data_dir / CARDS_FOLDER)
    kept = KeptImage(data_dir / stored, stored, digest, data if in_store else None)
    yield kept
    if not kept.path.exists():
        with own_output(kept.path) as out:
            out.write(data)
