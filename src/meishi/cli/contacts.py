"""`meishi contacts`: the people whose cards you have."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.store.search import Page

app = common.command_group("The people whose cards you have: list, show.", no_args_is_help=True)


LimitOption = Annotated[int, typer.Option(help="Show at most N contacts.", min=1)]
AllOption = Annotated[bool, typer.Option("--all", help="Show every contact.")]
PAGE = 50


def register_merge(root: typer.Typer) -> None:
    """Add `meishi merge` to the app (listed after import, export and backup)."""
    root.command("merge")(merge)


def register(root: typer.Typer) -> None:
    """Add the top-level search command to the app."""
    root.command("search")(search)


@app.command("list")
def list_(
    event: Annotated[str | None, typer.Option(help="Only people met at this event.")] = None,
    search: Annotated[str | None, typer.Option(help="Only people matching this text.")] = None,
    limit: LimitOption = PAGE,
    all_: AllOption = False,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """List contacts, newest first (the newest 50 unless --all or --limit)."""
    from meishi.store import search as finder
    from meishi.store.engine import reader
    from meishi.store.resolve import event_id_named

    empty = "No contacts match." if event or search else "No contacts yet: meishi add"
    with reader() as connection:  # rows are read as they are printed
        event_id = event_id_named(connection, event) if event else None
        most = None if all_ else limit
        if search is None:
            page = finder.newest(connection, event_id, most)
        else:
            page = finder.search(connection, search, most, event_id)
        _print_page(page, as_json, empty)


def search(
    text: Annotated[str, typer.Argument(help="Part of a name, reading, company, topic...")],
    limit: LimitOption = PAGE,
    all_: AllOption = False,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Find contacts by any part of their name, reading, company, email, note or topics."""
    from meishi.store import search as finder
    from meishi.store.engine import reader

    with reader() as connection:
        page = finder.search(connection, text, None if all_ else limit)
        _print_page(page, as_json, f"No contact matches '{text}'.")


def _print_page(page: Page, as_json: bool, empty: str) -> None:
    """Contacts as JSON, a table, or tab-separated lines, and how many were left out."""
    if as_json:
        common.print_json(list(page.rows))
        return
    if not page.total:
        common.echo(empty)
        return
    table = (
        (c["id"], c["name"], c["company"], c["title"], ", ".join(c["emails"])) for c in page.rows
    )
    shown = common.print_table(("id", "name", "company", "title", "email"), table)
    left = page.total - shown
    if left:
        typer.echo(f"… and {left} more; --all or --limit N shows them.", err=True)


@app.command("show")
def show(
    contact: Annotated[str, typer.Argument(help="Contact id, email, name or name prefix.")],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Show a contact with every encounter, its topics and the thank-you state."""
    from meishi.contacts import contact_detail
    from meishi.store.resolve import find_contact

    common.show_detail(
        lambda s: contact_detail(s, find_contact(s, contact)), as_json, _print_detail
    )


def _print_detail(detail: dict[str, Any]) -> None:
    """Print a contact's card and encounters as text."""
    from meishi.inputs import SHOWN, card_fields

    common.echo(f"#{detail['id']} {detail['name']}")
    for label in card_fields(SHOWN):
        if detail.get(label):
            common.echo(f"  {label}: {detail[label]}")
    for address in detail["emails"]:
        common.echo(f"  email: {address}")
    for image in detail.get("card_images", ()):
        common.echo(f"  card image: {image['path']}")
        for label, value in image["fields"].items():
            common.echo(f"    {label.replace('_', ' ')}: {value}")
    if not detail["encounters"]:
        typer.echo("No encounters recorded.")
    for encounter in detail["encounters"]:
        event = encounter["event"]
        common.echo(f"Met at #{event['id']} {event['name']} ({event['date']})")
        for topic in encounter["topics"]:
            common.echo(f"  - {topic}")
        if encounter["note"]:
            common.echo(f"  note: {encounter['note']}")
        common.echo(f"  thank-you: {_thank_text(encounter['thank_you'])}")


def _thank_text(state: dict[str, Any]) -> str:
    """The thank-you state in words."""
    texts = {
        "sent": f"sent {state.get('at', '')}",
        "drafted": f"drafted (draft #{state.get('draft')}), not sent yet",
        "pending": "not written yet: meishi thank",
        "no email": "no email address to write to",
    }
    return texts[state["state"]]


def merge(
    keep: Annotated[str, typer.Argument(help="The contact to keep: id, email or name.")],
    other: Annotated[str, typer.Argument(help="The contact merged into it and removed.")],
) -> None:
    """Merge two contacts who are one person, keeping every encounter and topic."""
    from meishi.merge import merge_contacts
    from meishi.store.resolve import find_contact

    with common.store() as store, store.write() as session:
        kept, gone = find_contact(session, keep), find_contact(session, other)
        label = f"#{gone.id} {gone.full_name}"
        filled = merge_contacts(session, kept, gone)
        extra = f"; filled in {', '.join(filled)}" if filled else ""
        common.echo(f"Merged {label} into #{kept.id} {kept.full_name}{extra}")
