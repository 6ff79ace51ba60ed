"""`meishi add`: the people you met at an event, and what you talked about."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common
from meishi.errors import BadValue, MeishiError

if TYPE_CHECKING:
    from meishi.cards.adding import EventChosen, Notice
    from meishi.cards.scanning import Scan
    from meishi.inputs import CardInput
    from meishi.meeting import AddResult
    from meishi.store.adding import StoredEvent


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
    interactive: bool = common.flag(
        "--interactive", "-i", help_text="Ask for each field, even off a terminal."
    ),
    scan: bool = common.flag(
        "--scan", help_text="Read the cards from IMAGES (photos, scans, QR codes)."
    ),
    yes: bool = common.flag(
        "--yes", "-y", help_text="With --scan: save the cards as read, no questions."
    ),
    force: bool = common.flag(
        "--force", help_text="Add even at an event you cancelled or that has not started: you went."
    ),
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
    _settle(_save_typed(met_at, card, force), ask=interactive or sys.stdin.isatty())


def _event_meant(text: str | None, force: bool) -> int:
    """The id of the event named, or of the latest one that has started (and say which)."""
    from meishi.attendance.rules import check_meeting
    from meishi.meeting import event_meant

    with common.run().reader() as connection:
        found = event_meant(connection, text, common.now())
    check_meeting(found, common.now(), force)  # before any question is asked
    if text is None:
        _say_latest(found)
    return found.id


def _save_typed(event_id: int, card: CardInput, force: bool) -> AddResult:
    """Store a card typed in, on the plain writer (no ORM: `add` starts fast)."""
    from meishi.meeting import add_met

    with common.run().writer() as connection:
        return add_met(connection, event_id, card, common.now(), force)


def _say_latest(event: StoredEvent) -> None:
    """Say which event was taken for the latest one."""
    common.echo(f"Event: #{event.id} {common.describe(event)} (the latest; --event to choose)")


def _settle(result: AddResult, ask: bool) -> None:
    """Say what was stored; where the card differs from the known contact, ask whether to take
    the card's values (on a terminal), else say what was kept and how to change it."""
    common.echo(_report(result))
    if not result.differs:
        return
    from meishi.meeting import kept_values, taking_command

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
    with common.run().writer() as connection:
        edited = take_card_values(connection, result.contact.id, result.differs, common.now())
    kept = "; the earlier position is kept in their history" if edited.moved else ""
    common.echo(f"Changed {', '.join(edited.changed)} of {who}{kept}.")
    return True


def _report(result: AddResult) -> str:
    """One line saying what was stored (and a company written in full)."""
    in_full = f"\nCompany written in full: {result.in_full}" if result.in_full else ""
    return _stored(result) + in_full


def _stored(result: AddResult) -> str:
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
    from meishi.card_fields import CARD_TEXTS, card_field
    from meishi.inputs import CardInput

    name = ""
    while not name:
        name = typer.prompt(card_field("name").label).strip()
    fields = {key: _ask(card_field(key).label) for key in CARD_TEXTS}
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
    from meishi.meeting import normalize_email

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
    from meishi.cards.adding import ScanRequest, scan_all

    wanted = ScanRequest(images, event, overrides, force)
    check = functools.partial(_review if ask else _as_read, extra=extra)
    with common.store() as store:
        for step in scan_all(store, wanted, common.run().home.data, common.now(), check, _progress):
            _say_step(step, ask)


def _progress(files: list[Path]) -> AbstractContextManager[Iterable[Path]]:
    """A progress bar on stderr while the cards are read."""
    return typer.progressbar(files, label="Reading cards", file=sys.stderr)


def _say_step(step: EventChosen | Notice | AddResult, ask: bool) -> None:
    """What adding scanned cards did: the event chosen, a notice, a card added (and, where
    it differs from the known contact, what to do about that)."""
    from meishi.cards.adding import EventChosen, Notice

    if isinstance(step, EventChosen):
        if step.latest:
            _say_latest(step.event)
    elif isinstance(step, Notice):
        typer.echo(step.text, err=True)
    else:
        _settle(step, ask)


def _say_card(scanned: Scan) -> None:
    """Which image the card was read from."""
    common.echo(f"{scanned.path}:{' (QR code)' if scanned.from_code else ''}")


def _as_read(scanned: Scan, extra: CardInput) -> CardInput | None:
    """The card exactly as read, shown with doubtful fields marked; None without a name."""
    from meishi.cards.fields import FIELDS
    from meishi.cards.images import card_input

    _say_card(scanned)
    read = scanned.fields
    for name in FIELDS:
        if value := read.get(name):
            common.echo(f"  {name.replace('_', ' ')}: {value}{'' if read.sure(name) else ' (?)'}")
    if not read.get("name"):
        return None
    return card_input(read, extra.topics, extra.note, extra.lang)


def _review(scanned: Scan, extra: CardInput) -> CardInput:
    """Each field read, to accept with Enter or type over ('-' clears it); then the topics."""
    from meishi.cards.fields import FIELDS
    from meishi.cards.images import card_input

    _say_card(scanned)
    read = scanned.fields
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
    from meishi.meeting import normalize_email

    if name == "name" and answer in ("", "-"):
        return "a name is needed"
    if name == "email" and answer not in ("", "-"):
        try:
            normalize_email(answer)
        except MeishiError as error:
            return str(error)
    return None
