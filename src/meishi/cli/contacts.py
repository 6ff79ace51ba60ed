"""`meishi contacts`: the people whose cards you have."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from meishi.cli import common

app = typer.Typer(help="The people whose cards you have: list, show.", no_args_is_help=True)


@app.command("list")
def list_(
    event: Annotated[str | None, typer.Option(help="Only people met at this event.")] = None,
    search: Annotated[str | None, typer.Option(help="Only people matching this text.")] = None,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """List contacts, newest first."""
    from meishi.contacts import contact_json, list_contacts
    from meishi.resolve import find_event

    with common.store() as store, store.read() as session:
        met_at = find_event(session, event) if event else None
        found = list_contacts(session, met_at, search)
        rows = [contact_json(session, contact) for contact in found]
    if as_json:
        common.print_json(rows)
    elif not rows:
        typer.echo("No contacts match." if event or search else "No contacts yet: meishi add")
    else:
        table = [
            (c["id"], c["name"], c["company"], c["title"], ", ".join(c["emails"])) for c in rows
        ]
        common.print_table(("id", "name", "company", "title", "email"), table)


@app.command("show")
def show(
    contact: Annotated[str, typer.Argument(help="Contact id, email, name or name prefix.")],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Show a contact with every encounter, its topics and the thank-you state."""
    from meishi.contacts import contact_detail
    from meishi.resolve import find_contact

    with common.store() as store, store.read() as session:
        detail = contact_detail(session, find_contact(session, contact))
    if as_json:
        common.print_json(detail)
    else:
        _print_detail(detail)


CARD_LABELS = ("reading", "company", "department", "title", "phone", "lang", "note")


def _print_detail(detail: dict[str, Any]) -> None:
    """Print a contact's card and encounters as text."""
    typer.echo(f"#{detail['id']} {detail['name']}")
    for label in CARD_LABELS:
        if detail.get(label):
            typer.echo(f"  {label}: {detail[label]}")
    for address in detail["emails"]:
        typer.echo(f"  email: {address}")
    if not detail["encounters"]:
        typer.echo("No encounters recorded.")
    for encounter in detail["encounters"]:
        event = encounter["event"]
        typer.echo(f"Met at #{event['id']} {event['name']} ({event['date']})")
        for topic in encounter["topics"]:
            typer.echo(f"  - {topic}")
        if encounter["note"]:
            typer.echo(f"  note: {encounter['note']}")
        typer.echo(f"  thank-you: {_thank_text(encounter['thank_you'])}")


def _thank_text(state: dict[str, Any]) -> str:
    """The thank-you state in words."""
    texts = {
        "sent": f"sent {state.get('at', '')}",
        "drafted": f"drafted (draft #{state.get('draft')}), not sent yet",
        "pending": "not written yet: meishi thank",
        "no email": "no email address to write to",
    }
    return texts[state["state"]]
