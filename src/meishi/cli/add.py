"""`meishi add`: the people you met at an event, and what you talked about."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common
from meishi.errors import BadValue, MeishiError, NotFound

if TYPE_CHECKING:
    from meishi.cards.fields import CardFields
    from meishi.cards.scanning import Scan
    from meishi.contacts import AddResult
    from meishi.inputs import CardInput
    from meishi.models import Event


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("add")(add)


def add(
    images: Annotated[
        list[Path] | None,
        typer.Argument(help="With --scan: card images, or folders of them.", show_default=False),
    ] = None,
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
    scan: Annotated[
        bool, typer.Option("--scan", help="Read the cards from IMAGES (photos, scans, QR codes).")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --scan: save the cards as read, no questions.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Add even at an event you cancelled or that has not started: you went."
        ),
    ] = False,
) -> None:
    """Add a person met at an event, with the topics you talked about.

    Someone whose email is already known is linked to the existing contact,
    and the card fills in whatever was empty. `meishi add --scan IMAGE...` reads
    business cards from photos (a folder stands for every image in it).
    """
    from meishi.inputs import CardInput

    if scan or images:
        if not (scan and images):
            raise BadValue("give card images with --scan: meishi add --scan IMAGE...")
        overrides = {
            "name": name, "reading": reading, "company": company, "department": department,
            "title": title, "phone": phone, "email": email[0] if email else None,
        }  # fmt: skip
        extra = CardInput(name="", topics=tuple(topic or ()), note=note, lang=lang)
        _add_scanned(event, images, overrides, extra, _asking(yes, interactive), force)
        return
    met_at = _event_meant(event, force)
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
    _settle(_save(met_at, card, force=force), ask=interactive or sys.stdin.isatty())


def _event_meant(text: str | None, force: bool) -> int:
    """The id of the event named, or of the latest one that has started (and say which)."""
    from meishi.attendance.changes import check_meeting
    from meishi.events import latest_started_event
    from meishi.store.resolve import find_event

    with common.store() as store, store.read() as session:
        found: Event | None = (
            find_event(session, text) if text else latest_started_event(session, common.now())
        )
        if found is None:
            raise NotFound("no event has started yet; add one: meishi event add NAME --date DATE")
        check_meeting(found, common.now(), force)  # before any question is asked
        if text is None:
            common.echo(
                f"Event: #{found.id} {common.describe(found)} (the latest; --event to choose)"
            )
        assert found.id is not None
        return found.id


def _save(
    event_id: int, card: CardInput, scanned: Scan | None = None, force: bool = False
) -> AddResult:
    """Store the card (and the image it was read from) in one write transaction."""
    from meishi.contacts import add_met

    with common.store() as store:
        return add_met(store, event_id, card, common.now(), scanned, force)


def _settle(result: AddResult, ask: bool) -> None:
    """Say what was stored; where the card differs from the known contact, ask whether to take
    the card's values (on a terminal), else say what was kept and how to change it."""
    common.echo(_report(result))
    if not result.differs:
        return
    from meishi.contacts import kept_values, taking_command

    who = f"#{result.contact.id} {result.contact.full_name}"
    kept = kept_values(result.differs)
    if not ask:
        how = f"to take the card's values: {taking_command(result.contact, result.differs)}"
        common.echo(f"Did not change {kept} of {who}; {how}")
    elif not _take_card(result, who):
        common.echo(f"Did not change {kept} of {who}.")


def _take_card(result: AddResult, who: str) -> bool:
    """Show old → new and, if the user agrees, give the contact the card's values."""
    from meishi.contacts import take_card_values

    common.echo(f"The card differs from what is known of {who}:")
    for difference in result.differs:
        common.echo(f"  {difference.name}: {difference.known} → {difference.card}")
    if not typer.confirm("Take the card's values?", default=False):
        return False
    assert result.contact.id is not None
    with common.store() as store:
        edited = take_card_values(store, result.contact.id, result.differs, common.now())
    kept = "; the earlier position is kept in their history" if edited.moved else ""
    common.echo(f"Changed {', '.join(edited.changed)} of {who}{kept}.")
    return True


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
    from meishi.inputs import CardInput

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
            common.echo(f"  {error}", err=True)
    return tuple(emails)


def _ask_language() -> str | None:
    """ja, en or empty (guess from the name)."""
    while (lang := _ask("Language for mail (ja/en, empty to guess)")) not in (None, "ja", "en"):
        typer.echo("  please answer ja, en or nothing", err=True)
    return lang


def _ask_lines(label: str) -> tuple[str, ...]:
    """Lines until an empty one."""
    common.echo(f"{label}:")
    lines: list[str] = []
    while line := _ask(">"):
        lines.append(line)
    return tuple(lines)


# --- scanning cards ----------------------------------------------------------------------


def _asking(yes: bool, interactive: bool) -> bool:
    """Whether to ask about each scanned card: on a terminal, or with -i; never with --yes.

    Off a terminal without either, refuse: there is no `contacts edit` yet, so a
    wrong reading saved silently would be hard to put right.
    """
    if yes:
        return False
    if interactive or sys.stdin.isatty():
        return True
    raise BadValue("not on a terminal: add --yes to save the cards as read, or -i to review them")


def _add_scanned(
    event: str | None, images: list[Path], overrides: dict[str, str | None],
    extra: CardInput, ask: bool, force: bool,
) -> None:  # fmt: skip
    """Read each card, let the user check it (unless --yes), and save it with its image."""
    from meishi.cards import scanning

    scanning.require_libraries()
    files = scanning.image_files(images)
    met_at = _event_meant(event, force)
    if scanning.tesseract_command() is None:
        typer.echo(scanning.INSTALL_TESSERACT, err=True)
    failed: list[str] = []
    for scanned in _read_all(files, failed):
        for key, value in overrides.items():
            if value:
                scanned.fields.fields.pop(key, None)
                scanned.fields.set(key, value)
        common.echo(f"{scanned.path}:{' (QR code)' if scanned.from_code else ''}")
        card = _review(scanned.fields, extra) if ask else _as_read(scanned.fields, extra)
        if card is None:
            failed.append(f"{scanned.path} (no name read; run without --yes to type it)")
            continue
        _settle(_save(met_at, card, scanned, force), ask)
    if failed:
        raise BadValue(f"not added: {'; '.join(failed)}")


def _read_all(files: list[Path], failed: list[str]) -> list[Scan]:
    """Every readable card, with a progress bar for several; the others noted in failed."""
    from meishi.cards import scanning

    if len(files) == 1:
        return [scanning.scan(files[0])]
    scans = []
    with typer.progressbar(files, label="Reading cards", file=sys.stderr) as progress:
        for path in progress:
            try:
                scans.append(scanning.scan(path))
            except BadValue as error:
                failed.append(str(error))
    return scans


def _as_read(read: CardFields, extra: CardInput) -> CardInput | None:
    """The card exactly as read, shown with doubtful fields marked; None without a name."""
    from meishi.cards.fields import FIELDS
    from meishi.cards.images import card_input

    for name in FIELDS:
        if value := read.get(name):
            common.echo(f"  {name.replace('_', ' ')}: {value}{'' if read.sure(name) else ' (?)'}")
    if not read.get("name"):
        return None
    return card_input(read, extra.topics, extra.note, extra.lang)


def _review(read: CardFields, extra: CardInput) -> CardInput:
    """Each field read, to accept with Enter or type over ('-' clears it); then the topics."""
    from meishi.cards.fields import FIELDS
    from meishi.cards.images import card_input

    typer.echo("Enter keeps what was read, '-' clears it; '?' marks a doubtful reading.")
    for name in FIELDS:
        label = f"{name.replace('_', ' ').capitalize()}{'' if read.sure(name) else ' ?'}"
        while (problem := _problem(name, answer := _ask_field(label, read.get(name)))) is not None:
            common.echo(f"  {problem}", err=True)
        read.fields.pop(name, None)
        if answer != "-":
            read.set(name, answer)
    topics = extra.topics + _ask_lines("Topics talked about, one per line (empty line ends)")
    return card_input(read, topics, extra.note, extra.lang)


def _ask_field(label: str, value: str | None) -> str:
    """One field, its reading offered as the default (shown as text: a QR code may hold escapes)."""
    offered = f" [{common.shown(value, one_line=True)}]" if value else ""
    return str(typer.prompt(label + offered, default=value or "", show_default=False)).strip()


def _problem(name: str, answer: str) -> str | None:
    """Why an answer cannot be taken for a field, or None."""
    from meishi.contacts import normalize_email

    if name == "name" and answer in ("", "-"):
        return "a name is needed"
    if name == "email" and answer not in ("", "-"):
        try:
            normalize_email(answer)
        except MeishiError as error:
            return str(error)
    return None
