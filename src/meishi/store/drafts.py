"""The drafts kept in the store, as ORM rows: by kind and state, and the meetings each
thank-you thanks for. (Drafting itself, on the plain connection, is in
store/drafting.py.)"""

from __future__ import annotations

from sqlmodel import Session, col, select

from meishi.models import Draft, DraftEncounter, Encounter


def drafts_in(session: Session, kind: str, state: str) -> list[Draft]:
    """The drafts of a kind in a state, oldest first."""
    query = select(Draft).where(Draft.state == state, Draft.kind == kind)
    return list(session.exec(query.order_by(col(Draft.id))).all())


def drafts_newest_first(session: Session) -> list[Draft]:
    """Every draft, newest first."""
    return list(session.exec(select(Draft).order_by(col(Draft.id).desc())).all())


def thanked_for(
    session: Session, encounter_id: int | None, draft_id: int | None
) -> list[Encounter]:
    """The meetings a thank-you thanks for: its own, and every one its draft is linked to."""
    linked = select(DraftEncounter.encounter_id).where(DraftEncounter.draft_id == draft_id)
    query = select(Encounter).where(
        (col(Encounter.id) == encounter_id) | col(Encounter.id).in_(linked)
    )
    return list(session.exec(query.order_by(col(Encounter.id))).all())
