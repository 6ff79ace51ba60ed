"""`meishi add`: the people you met at an event, and what you talked about."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common
from meishi.errors import BadValue, MeishiError, NotFound

if TYPE_CHECKING:
    from meishi.contacts import AddResult, CardInput
    from meishi.models import Event


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("add")(add)


def add(
    event: Annotated[
        str | None, typer.Option(help="Where you met (default: the latest event so far).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Full name, e.g. '田中 太郎'.")] = None,
    reading: Annotated[str | None, typer.Option(help="Reading of the name (furigana).")] = None,
    company: Annotated[str | None, typer.Option(help="Company, written in full.")] = None,
    department: Annotated[str | None, typer.Option(help="Department.")] = None,
    title: Annotated[str | None, typer.Option(help="Title, e.g. 部長 or Director.")] = None,
    email: Annotated[list[str] | None, typer.Option(help="Email (repeatable).")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number.")] = None,
    topic: Annotated[
        list[str] | None, typer.Option(help="A topic you talked about (repeatable).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note about this meeting.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language for mail: ja or en.")] = None,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Ask for each field, even off a terminal.")
    ] = False,
) -> None:
    """Add a person met at an event, with the topics you talked about.

    Someone whose email is already known is linked to the existing contact,
    and the card fills in whatever was empty.
    """
    from meishi.contacts import CardInput

    met_at = _event_meant(event)
    if name is None:
        if not (interactive or sys.stdin.isatty()):
            raise BadValue("--name is required when not on a terminal (or ask with -i)")
        card = _ask_card()
    else:
        card = CardInput(
            name=name,
            reading=reading,
            company=company,
            department=department,
            title=title,
            phone=phone,
            lang=lang,
            emails=tuple(email or ()),
            topics=tuple(topic or ()),
            note=note,
        )
    typer.echo(_report(_save(met_at, card)))


def _event_meant(text: str | None) -> int:
    """The id of the event named, or of the latest one that has started (and say which)."""
    from meishi.cli.event import describe
    from meishi.events import latest_started_event
    from meishi.resolve import find_event

    with common.store() as store, store.read() as session:
        found: Event | None = (
            find_event(session, text) if text else latest_started_event(session, common.now())
        )
        if found is None:
            raise NotFound("no event has started yet; add one: meishi event add NAME --date DATE")
        if text is None:
            typer.echo(f"Event: #{found.id} {describe(found)} (the latest; --event to choose)")
        assert found.id is not None
        return found.id


def _save(event_id: int, card: CardInput) -> AddResult:
    """Store the card in one write transaction."""
    from meishi.contacts import add_card
    from meishi.models import Event

    with common.store() as store, store.write() as session:
        event = session.get(Event, event_id)
        if event is None:
            raise NotFound(f"event #{event_id} was removed meanwhile; run the command again")
        return add_card(session, event, card, common.now())


def _report(result: AddResult) -> str:
    """One line saying what was stored."""
    contact = result.contact
    who = f"{contact.full_name}{f' ({contact.company})' if contact.company else ''}"
    topics = f"{result.new_topics} new topic{'s' if result.new_topics != 1 else ''}"
    if result.created:
        return f"Added #{contact.id} {who} with {topics}."
    filled = f"; filled in {', '.join(result.filled)}" if result.filled else ""
    return f"Linked to known contact #{contact.id} {who} with {topics}{filled}."


def _ask_card() -> CardInput:
    """Ask for a card's fields one by one; topics one per line, an empty line ends."""
    from meishi.contacts import CardInput

    name = ""
    while not name:
        name = typer.prompt("Name").strip()
    fields = {
        key: _ask(label)
        for key, label in (
            ("reading", "Reading (furigana)"),
            ("company", "Company"),
            ("department", "Department"),
            ("title", "Title"),
            ("phone", "Phone"),
        )
    }
    return CardInput(
        name=name,
        emails=_ask_emails(),
        lang=_ask_language(),
        topics=_ask_lines("Topics talked about, one per line (empty line ends)"),
        note=_ask("Note"),
        **fields,
    )


def _ask(label: str) -> str | None:
    """One optional field; empty means not given."""
    return typer.prompt(label, default="", show_default=False).strip() or None


def _ask_emails() -> tuple[str, ...]:
    """Emails, asked again until each is valid; empty line ends."""
    from meishi.contacts import normalize_email

    emails: list[str] = []
    while address := _ask("Email" if not emails else "Another email (empty to finish)"):
        try:
            emails.append(normalize_email(address))
        except MeishiError as error:
            typer.echo(f"  {error}", err=True)
    return tuple(emails)


def _ask_language() -> str | None:
    """ja, en or empty (guess from the name)."""
    while (lang := _ask("Language for mail (ja/en, empty to guess)")) not in (None, "ja", "en"):
        typer.echo("  please answer ja, en or nothing", err=True)
    return lang


def _ask_lines(label: str) -> tuple[str, ...]:
    """Lines until an empty one."""
    typer.echo(f"{label}:")
    lines: list[str] = []
    while line := _ask(">"):
        lines.append(line)
    return tuple(lines)
