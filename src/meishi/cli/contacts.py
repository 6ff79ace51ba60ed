"""`meishi contacts`: the people whose cards you have."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.contacts import ContactEdit, Edited
    from meishi.store.search import Page
    from meishi.store.sql import ReadConnection

app = common.command_group(
    "The people whose cards you have: list, show, edit, delete.", no_args_is_help=True
)


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
    from meishi.store.resolve import event_id_named

    empty = "No contacts match." if event or search else "No contacts yet: meishi add"
    with common.run().reader() as connection:  # rows are read as they are printed
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

    with common.run().reader() as connection:
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
    """Show a contact with every encounter, its topics, the thank-you state and a timeline
    of meetings, thank-yous and mail."""
    common.show_detail(lambda connection: _detail(connection, contact), as_json, _print_detail)


def _detail(connection: ReadConnection, text: str) -> dict[str, Any]:
    """The detail of the contact named."""
    from meishi.details import contact_detail
    from meishi.store.resolve import contact_id_named

    found = contact_id_named(connection, text)
    return contact_detail(connection, found, common.run().home.data)


ContactArgument = Annotated[str, typer.Argument(help="Contact id, email, name or name prefix.")]


def _print_detail(detail: dict[str, Any]) -> None:
    """Print a contact's card and encounters as text."""
    from meishi.card_fields import SHOWN, card_fields

    common.echo(f"#{detail['id']} {detail['name']}")
    for label in card_fields(SHOWN):
        if detail.get(label):
            common.echo(f"  {label}: {detail[label]}")
    for address in detail["emails"]:
        common.echo(f"  email: {address}")
    for past in detail.get("past_positions", ()):
        common.echo(f"  earlier (until {past['until']}): {_position(past)}")
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
    if detail["timeline"]:
        typer.echo("Timeline:")
    for entry in detail["timeline"]:
        common.echo(f"  {entry['date']}  {entry['text']}")


def _position(values: dict[str, Any]) -> str:
    """Company, department and title on one line."""
    return " · ".join(values[name] for name in ("company", "department", "title") if values[name])


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
        filled = merge_contacts(session, kept, gone, common.now())
        extra = f"; filled in {', '.join(filled)}" if filled else ""
        common.echo(f"Merged {label} into #{kept.id} {kept.full_name}{extra}")


@app.command("edit")
def edit(
    contact: ContactArgument,
    name: Annotated[str | None, typer.Option(help="The full name, e.g. '田中 太郎'.")] = None,
    reading: Annotated[str | None, typer.Option(help="Reading of the name (furigana).")] = None,
    company: Annotated[str | None, typer.Option(help="Company ('' clears it).")] = None,
    department: Annotated[str | None, typer.Option(help="Department ('' clears it).")] = None,
    title: Annotated[str | None, typer.Option(help="Title ('' clears it).")] = None,
    email: Annotated[list[str] | None, typer.Option(help="An email to add (repeatable).")] = None,
    remove_email: Annotated[
        list[str] | None, typer.Option(help="An email to remove (repeatable).")
    ] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number ('' clears it).")] = None,
    note: Annotated[str | None, typer.Option(help="The note about the person.")] = None,
    lang: Annotated[
        str | None, typer.Option(help="Language for mail: ja, en, or '' to guess.")
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option("--interactive", "-i", help="Ask for each field, current values offered."),
    ] = False,
) -> None:
    """Correct a contact's card, or record a job change (転職・異動).

    A change of company, department or title keeps the old ones as the contact's
    history (shown by contacts show). Without options on a terminal, asks for each field.
    """
    from meishi.contacts import ContactEdit, edit_contact
    from meishi.errors import BadValue
    from meishi.store.adding import contact_by_id
    from meishi.store.resolve import contact_id_named

    given = {
        "name": name, "reading": reading, "company": company, "department": department,
        "title": title, "phone": phone, "note": note, "lang": lang,
    }  # fmt: skip
    fields = {key: value for key, value in given.items() if value is not None}
    changes = ContactEdit(fields, tuple(email or ()), tuple(remove_email or ()))
    if interactive or not (fields or email or remove_email):
        if not (interactive or sys.stdin.isatty()):
            raise BadValue("nothing to change; give at least one option, e.g. --company, or -i")
        changes = _ask_changes(contact)
    with common.run().writer() as connection:  # plain: no ORM to load for one contact
        found = contact_by_id(connection, contact_id_named(connection, contact))
        assert found is not None  # just named, in the same transaction
        edited = edit_contact(connection, found, changes, common.now())
        common.echo(_edited_text(found.id, edited))


def _edited_text(key: int, edited: Edited) -> str:
    """One line saying what changed."""
    what = ", ".join(edited.changed) if edited.changed else "nothing (the values were the same)"
    kept = "; the earlier position is kept in their history" if edited.moved else ""
    return f"Changed {what} of #{key} {edited.name}{kept}."


def _ask_changes(text: str) -> ContactEdit:
    """A form with each field's current value offered: Enter keeps it, '-' clears it."""
    from meishi.contacts import EDITABLE, ContactEdit

    with common.run().reader() as connection:
        current = _detail(connection, text)
    typer.echo("Enter keeps the value shown, '-' clears it.")
    fields = {}
    for field in EDITABLE:
        value = current[field] or ""
        answer = _ask_field(field.capitalize(), value)
        if answer != value:
            fields[field] = "" if answer == "-" else answer
    known = current["emails"]
    answer = _ask_field("Emails, separated by spaces", " ".join(known))
    emails = [] if answer == "-" else answer.lower().split()  # stored lower-cased
    added = tuple(e for e in emails if e not in known)
    return ContactEdit(fields, added, tuple(e for e in known if e not in emails))


def _ask_field(label: str, value: str) -> str:
    """One field, its current value offered (shown as text, as every value meishi prints)."""
    offered = f" [{common.shown(value, one_line=True)}]" if value else ""
    return str(typer.prompt(label + offered, default=value, show_default=False)).strip()


@app.command("delete")
def delete(contact: ContactArgument, yes: bool = common.YES_OPTION) -> None:
    """Delete a contact with their encounters, topics, unsent drafts and card images.

    Mail that went out stays on record (meishi outbox). Asks first on a terminal.
    """
    common.delete_with_care("contact", contact, yes)
