"""Find the event or contact a user means: by id, exact name, or unambiguous prefix."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from meishi.errors import Ambiguous, NotFound
from meishi.models import Contact, ContactEmail, Event

Row = TypeVar("Row")
MAX_LISTED = 8


def find_event(session: Session, text: str) -> Event:
    """The event named by id, exact name or prefix (case-insensitive)."""
    return _find(session, Event, Event.name, text, "event", _event_label)


def find_contact(session: Session, text: str) -> Contact:
    """The contact named by id, email, exact name or prefix (case-insensitive)."""
    if "@" in text:
        by_email = (
            select(Contact)
            .join(ContactEmail)
            .where(col(ContactEmail.address).ilike(_escape_like(text.strip()), escape="\\"))
        )
        found = session.exec(by_email).first()
        if found is not None:
            return found
    return _find(session, Contact, Contact.full_name, text, "contact", _contact_label)


def _find(
    session: Session,
    model: Any,
    column: Any,
    text: str,
    kind: str,
    label: Callable[[Any], str],
) -> Any:
    """Resolve text against one table: id first, then exact name, then prefix."""
    text = text.strip()
    if text.isdigit() and (row := session.get(model, int(text))) is not None:
        return row
    pattern = _escape_like(text)
    for where in (column.like(pattern, escape="\\"), column.like(pattern + "%", escape="\\")):
        rows = session.exec(select(model).where(where).order_by(model.id).limit(50)).all()
        if len(rows) == 1:
            return rows[0]
        if rows:
            raise Ambiguous(_ambiguous_message(kind, text, rows, label))
    raise NotFound(f"no {kind} matches '{text}'; see `meishi {_list_command(kind)}`")


def _escape_like(text: str) -> str:
    """Escape LIKE wildcards so a name is matched literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ambiguous_message(kind: str, text: str, rows: Sequence[Any], label: Callable) -> str:
    """One line naming the candidates and how to pick one."""
    shown = "; ".join(label(row) for row in rows[:MAX_LISTED])
    more = f"; and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
    return f"'{text}' matches {len(rows)} {kind}s: {shown}{more}. Use the id or a longer name"


def _event_label(event: Event) -> str:
    """How an event is named in a list of candidates."""
    return f"#{event.id} {event.name} ({event.date.isoformat()})"


def _contact_label(contact: Contact) -> str:
    """How a contact is named in a list of candidates."""
    company = f", {contact.company}" if contact.company else ""
    return f"#{contact.id} {contact.full_name}{company}"


def _list_command(kind: str) -> str:
    """The command that lists things of this kind."""
    return "event list" if kind == "event" else "contacts list"
