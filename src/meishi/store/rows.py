"""Rows of any table by what identifies them: the id, or the values that make two the same."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel import SQLModel, col, select

from meishi.validation import is_id

if TYPE_CHECKING:
    from sqlmodel import Session

Row = TypeVar("Row", bound=SQLModel)


def by_id(session: Session, model: type[Row], row_id: int | None) -> Row | None:
    """The row of `model` with that id; None when there is none, or no row can have it."""
    if row_id is None or not is_id(row_id):  # a number past 64 bits fails on the server
        return None
    return session.get(model, row_id)


def in_id_order(session: Session, model: type[Row]) -> list[Row]:
    """Every row of this table, in the order of their ids."""
    return list(session.exec(select(model).order_by(col(model.id))))  # type: ignore[attr-defined]


def matching(session: Session, model: type[Row], values: dict[str, Any]) -> Row | None:
    """The first row (by id) whose columns hold these values (None: a NULL column), or None."""
    query = select(model)
    for name, value in values.items():
        column = getattr(model, name)
        query = query.where(col(column).is_(None) if value is None else column == value)
    return session.exec(query.order_by(col(model.id))).first()  # type: ignore[attr-defined]
