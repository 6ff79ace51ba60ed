"""Job changes' queries: the positions a contact held before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import col, select

from meishi.models import PastPosition

if TYPE_CHECKING:
    from sqlmodel import Session


def past_positions(session: Session, contact_id: int) -> list[PastPosition]:
    """The contact's earlier positions, latest first."""
    query = (
        select(PastPosition)
        .where(PastPosition.contact_id == contact_id)
        .order_by(col(PastPosition.until).desc(), col(PastPosition.id).desc())
    )
    return list(session.exec(query))
