"""The drafts kept in the store: by kind and state, by purpose, and the meetings each
thank-you thanks for."""

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


def same_purpose(
    session: Session, fresh: Draft, encounters: tuple[int, ...], states: tuple[str, ...]
) -> list[Draft]:
    """The drafts in one of `states` with the purpose of a fresh one, oldest first: to an
    organizer, the event's; a thank-you, those for its meeting or linked to one of
    `encounters`."""
    query = select(Draft).where(Draft.kind == fresh.kind, col(Draft.state).in_(states))
    if fresh.encounter_id is None:  # to an organizer: one per event
        query = query.where(Draft.event_id == fresh.event_id, col(Draft.encounter_id).is_(None))
    else:  # a thank-you: one per meeting, whichever of its meetings it was drafted for first
        linked = select(DraftEncounter.draft_id).where(
            col(DraftEncounter.encounter_id).in_(encounters or (fresh.encounter_id,))
        )
        mine = col(Draft.encounter_id) == fresh.encounter_id
        query = query.where(mine | col(Draft.id).in_(linked))
    return list(session.exec(query.order_by(col(Draft.id))).all())


def encounter_links(session: Session, draft_id: int | None) -> list[DraftEncounter]:
    """The links of a thank-you to the meetings it thanks for."""
    query = select(DraftEncounter).where(DraftEncounter.draft_id == draft_id)
    return list(session.exec(query).all())


def thanked_for(
    session: Session, encounter_id: int | None, draft_id: int | None
) -> list[Encounter]:
    """The meetings a thank-you thanks for: its own, and every one its draft is linked to."""
    linked = select(DraftEncounter.encounter_id).where(DraftEncounter.draft_id == draft_id)
    query = select(Encounter).where(
        (col(Encounter.id) == encounter_id) | col(Encounter.id).in_(linked)
    )
    return list(session.exec(query.order_by(col(Encounter.id))).all())
