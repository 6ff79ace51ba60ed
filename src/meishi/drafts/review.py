"""The drafts you review before they go: list, hold back, release, discard and edit them.

A draft's stored state (see drafts/box.py and mail/outbox.py) is shown in one of
five words: pending, held, queued, sent, discarded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from meishi import limits
from meishi.drafts.states import DISCARDED, HELD, PENDING, RESTORED
from meishi.errors import BadValue, NothingToDo
from meishi.mail.message import check_header_value
from meishi.mail.outbox import find_draft
from meishi.models import Draft, Event, in_utc
from meishi.store.drafts import drafts_newest_first, thanked_for
from meishi.store.rows import by_id
from meishi.validation import check_chars, check_length, required_text

if TYPE_CHECKING:
    from sqlmodel import Session

    from meishi.store.engine import Store

KINDS = {"thank": "thank-you", "apology": "apology", "notice": "notice"}
# The outbox's states, as the draft's user sees them.
SHOWN_STATES = {PENDING: "pending", HELD: "held", DISCARDED: "discarded", "sent": "sent"}
# Why a draft that is not plainly pending, held or sent is in the state shown.
NOTES = {
    RESTORED: "copied from an imported file: never sent; draft it again to send it",
    "failed": "the mail server refused it: see meishi outbox",
    "unknown": "it may have arrived: see meishi outbox",
    "sending": "being sent, or meishi stopped while sending it: see meishi outbox",
}
SUBJECT = "Subject:"


def shown_state(draft: Draft) -> str:
    """The draft's state in the user's words: pending, held, queued, sent or discarded."""
    if draft.state == RESTORED:
        return "held"  # a record only: it waits for drafting again
    return SHOWN_STATES.get(draft.state, "queued")


@dataclass(frozen=True)
class DraftView:
    """A draft with the meetings (or the event) it is about."""

    draft: Draft
    events: list[Event]

    def to_json(self) -> dict[str, Any]:
        """The draft as JSON-ready values."""
        draft = self.draft
        return {
            "id": draft.id,
            "state": shown_state(draft),
            "note": _note(draft),
            "drafts_folder": draft.imap_folder if _in_drafts_folder(draft) else None,
            "kind": KINDS.get(draft.kind, draft.kind),
            "to": {"name": draft.to_name, "email": draft.to_addr, "contact": draft.contact_id},
            "events": [
                {"id": e.id, "name": e.name, "date": e.date.isoformat()} for e in self.events
            ],
            "subject": draft.subject,
            "body": draft.body,
            "edited": draft.edited_at is not None,
            "updated": draft.updated_at.astimezone().isoformat(timespec="seconds"),
        }


def _in_drafts_folder(draft: Draft) -> bool:
    """True for a draft pushed to the Drafts folder and not yet sent: the mail client's."""
    return draft.imap_folder is not None and draft.state in (PENDING, HELD)


def _note(draft: Draft) -> str | None:
    """Why the draft is in the state shown, or where it waits, if that needs saying."""
    if _in_drafts_folder(draft):
        return (
            f"in your Drafts folder ({draft.imap_folder}): send it from your mail client "
            f"(meishi send leaves it), or meishi drafts pull {draft.id}"
        )
    return NOTES.get(draft.state)


def list_drafts(session: Session) -> list[DraftView]:
    """Every draft, newest first."""
    return [view_of(session, draft) for draft in drafts_newest_first(session)]


def view_of(session: Session, draft: Draft) -> DraftView:
    """A draft with its events: every meeting a thank-you thanks for, else its own event."""
    events = [
        by_id(session, Event, encounter.event_id)
        for encounter in thanked_for(session, draft.encounter_id, draft.id)
    ]
    found = [event for event in events if event is not None]
    own = by_id(session, Event, draft.event_id)
    return DraftView(
        draft, sorted(found, key=lambda e: (e.date, e.id or 0)) or ([own] if own else [])
    )


def show_draft(session: Session, draft_id: int) -> DraftView:
    """One draft by id, with its events."""
    return view_of(session, find_draft(session, draft_id))


def hold(session: Session, draft_id: int, now: dt.datetime) -> Draft:
    """Hold a pending draft back: `meishi send` leaves it until it is released."""
    draft = find_draft(session, draft_id)
    if draft.state == HELD:
        raise NothingToDo(f"draft #{draft_id} is held already; meishi drafts release {draft_id}")
    _require(draft, (PENDING,), "only a pending draft can be held")
    return _move(draft, HELD, now)


def release(session: Session, draft_id: int, now: dt.datetime) -> Draft:
    """Let a held draft go out again with the pending ones."""
    draft = find_draft(session, draft_id)
    if draft.state == PENDING:
        raise NothingToDo(f"draft #{draft_id} is pending already; it is not held")
    if draft.state == RESTORED:
        raise BadValue(
            f"draft #{draft_id} was copied from an imported file and is never sent; "
            "draft it again (meishi thank, meishi apology)"
        )
    _require(draft, (HELD,), "only a held draft can be released")
    return _move(draft, PENDING, now)


def check_discardable(draft: Draft) -> None:
    """Refuse to discard a draft that went (or is going) out: the outbox keeps its record."""
    if draft.state == DISCARDED:
        raise NothingToDo(f"draft #{draft.id} is discarded already")
    _require(draft, (PENDING, HELD, RESTORED), "what went to the outbox stays on record")


def discard(
    store: Store, draft_id: int, now: dt.datetime, confirm: Callable[[DraftView], bool]
) -> Draft | None:
    """Discard a draft not sent, once `confirm` agrees (asked outside any write); None if not."""
    with store.read() as session:
        view = show_draft(session, draft_id)
        check_discardable(view.draft)
    if not confirm(view):
        return None
    with store.write() as session:
        draft = find_draft(session, draft_id)
        check_discardable(draft)  # again: another meishi may have sent it meanwhile
        return _move(draft, DISCARDED, now)


def editable_text(draft: Draft) -> str:
    """The draft as the editor shows it: a Subject line, a blank line, the body."""
    return f"{SUBJECT} {draft.subject}\n\n{draft.body}"


def parse_edited(text: str) -> tuple[str, str] | None:
    """(subject, body) of an edited draft; None when the file was emptied (abort)."""
    if not text.strip():
        return None
    head, _, body = text.lstrip("\ufeff").partition("\n")
    if not head.startswith(SUBJECT):
        raise BadValue("the first line must be 'Subject: ...'; nothing was changed")
    subject = head.removeprefix(SUBJECT).strip()
    check_header_value(subject, "subject", "the edited draft", fix="meishi drafts edit")
    subject = required_text(subject, "subject", limits.LINE_CHARS)
    body = body.removeprefix("\n").rstrip() + "\n"
    check_length(check_chars(body, "body", lines=True), "body", limits.TEMPLATE_OUTPUT_CHARS)
    return subject, body


def edit(
    store: Store, draft_id: int, now: dt.datetime, editor: Callable[[str], str]
) -> Draft | None:
    """Let `editor` change a pending or held draft's subject and body; None when it emptied
    the text (nothing changed). The editor runs outside any write."""
    with store.read() as session:
        before = find_draft(session, draft_id)
        _require(before, (PENDING, HELD), "only a pending or held draft can be edited")
        text = editable_text(before)
    edited = parse_edited(editor(text))
    if edited is None:
        return None
    with store.write() as session:
        draft = find_draft(session, draft_id)
        if editable_text(draft) != text or draft.state not in (PENDING, HELD):
            raise NothingToDo(f"draft #{draft_id} changed while you edited it; edit it again")
        draft.subject, draft.body = edited
        draft.edited_at = in_utc(now)
        return _move(draft, draft.state, now)


def _require(draft: Draft, states: tuple[str, ...], why: str) -> None:
    """Refuse when the draft is not in one of the states, saying which it is in."""
    if draft.state not in states:
        raise BadValue(f"draft #{draft.id} is {shown_state(draft)}: {why}")


def _move(draft: Draft, state: str, now: dt.datetime) -> Draft:
    """Put a draft in a state, stamped."""
    draft.state = state
    draft.updated_at = in_utc(now)
    return draft
