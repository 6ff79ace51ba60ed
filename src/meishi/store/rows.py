"""One row of any table by its id: the lookup every subject shares."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel

from meishi.validation import is_id

Row = TypeVar("Row", bound=SQLModel)


def by_id(session: Session, model: type[Row], row_id: int | None) -> Row | None:
    """The row of `model` with that id; None when there is none, or no row can have it."""
    if row_id is None or not is_id(row_id):  # a number past 64 bits fails on the server
        return None
    return session.get(model, row_id)
