"""The kept card images' queries: a contact's images, and which image files are still kept."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlmodel import col, select

from meishi.models import CardImage

if TYPE_CHECKING:
    from sqlmodel import Session


def images_of(session: Session, contact_id: int) -> list[CardImage]:
    """The contact's kept card images, oldest first."""
    query = select(CardImage).where(CardImage.contact_id == contact_id)
    return list(session.exec(query.order_by(col(CardImage.id))))


def image_of(session: Session, contact_id: int, sha256: str) -> CardImage | None:
    """The contact's kept image with this SHA-256, or None."""
    query = select(CardImage).where(CardImage.contact_id == contact_id, CardImage.sha256 == sha256)
    return session.exec(query).first()


def kept_paths(session: Session, paths: Iterable[str]) -> set[str]:
    """Which of these image files (relative to the data folder) a kept image still names."""
    query = select(CardImage.path).where(col(CardImage.path).in_(list(paths)))
    return set(session.exec(query))
