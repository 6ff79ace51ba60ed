"""`meishi mail check` and `meishi sync`: what your mailbox says about your contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from collections.abc import Callable

    from meishi.syncing import SyncReport

app = common.command_group("Your mailbox: reading sent mail and replies.", no_args_is_help=True)


def register(app_: typer.Typer) -> None:
    """Add the commands to the app."""
    app_.add_typer(app, name="mail")
    app_.command("sync")(sync)
    app_.command("relationships")(relationships)


@app.command("check")
def check() -> None:
    """Log in to your mailbox and list the folders sync reads and how each was found."""
    from meishi.mail.imap import check_mailbox

    current = common.run()
    folders = check_mailbox(current.settings, current.home.keyring_named)
    common.echo(f"Logged in to {current.settings.get('imap.host')}.")
    for folder in folders:
        common.echo(f"{folder.role}: {folder.name or '(none)'}  ({folder.how})")


def sync(
    since: Annotated[
        str | None,
        typer.Option(help="On the first run, read mail from this date on (default: 90 days)."),
    ] = None,
    dry_run: bool = common.flag(
        "--dry-run", help_text="Show what would be recorded; keep nothing."
    ),
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Read your Sent folder and inbox: mail with contacts, and organizers' follow-ups.

    Thank-yous found in Sent count as sent, so meishi send never sends a second
    one; replies to your mail are noted on each contact. Mail from the organizer of
    an event you attended (or from connpass, Peatix, Doorkeeper or TECH PLAY about
    it) is read whole, within 30 days of the event: a thank-you, survey, report or
    invitation is recorded as the organizer's follow-up, or, when unsure, waits in
    meishi followup review. Only new mail is read after the first run.
    """
    from meishi.syncing import SyncRequest, report_json, sync_mailbox

    current = common.run()
    request = SyncRequest(common.parse_date(since, say=not as_json) if since else None, dry_run)
    with common.store() as store:
        report = sync_mailbox(
            store, current.settings, current.home.keyring_named, request, current.now, _progress()
        )
    common.emit(report_json(report) if as_json else report, as_json, _print_report)


def _progress() -> Callable[[str, int, int], None] | None:
    """A progress line on stderr while reading, on a terminal only."""
    import sys

    if not sys.stderr.isatty():
        return None

    def show(folder: str, done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        typer.echo(
            f"\r{common.shown(folder, one_line=True)}: {done}/{total}", err=True, nl=bool(end)
        )

    return show


def _print_report(report: SyncReport) -> None:
    """What the sync read and recorded, in a few lines."""
    for folder in report.folders:
        fresh = " (its UIDVALIDITY changed: read again)" if folder.rescanned else ""
        common.echo(f"{folder.role}: {folder.name or '(not found)'}: {folder.read} read{fresh}")
    kept = "would record" if report.dry_run else "recorded"
    common.echo(f"{kept}: " + (_counts(report.recorded) or "nothing new"))
    if report.ignored:
        common.echo(f"ignored: {_counts(report.ignored)}")
    for contact, event, day in report.thanked:
        common.echo(f"thank-you found in Sent: {contact} ({event}, {day})")
    if report.follow_ups:
        found, waiting = report.follow_ups["found"], report.follow_ups["waiting for review"]
        review = " (meishi followup review)" if waiting else ""
        common.echo(f"organizers' follow-ups: {found} found, {waiting} waiting for review{review}")


def _counts(counts: dict[str, int]) -> str:
    """Counts as 'kind n, kind n'."""
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))


def relationships(
    state: Annotated[
        str | None,
        typer.Option(help="Only this state: sprouting, in touch, one-way, quiet or none."),
    ] = None,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """List the people you exchange mail with by how the relationship is going.

    From the mail meishi sync recorded: sprouting (replies keep coming), in
    touch, one-way (no reply), quiet; with the last mail and who wrote it.
    """
    from meishi.relationships.facts import relationship_json
    from meishi.relationships.facts import relationships as listed

    with common.run().reader() as connection:
        rows = listed(connection, common.today(), state)
    if as_json:
        common.print_json([relationship_json(contact, found) for contact, found in rows])
        return
    if not rows:
        common.echo("No one in that state." if state else "No mail with contacts yet: meishi sync")
        return
    table = (
        (
            found.state,
            contact.full_name,
            contact.company,
            found.last_day,
            found.last_writer,
            f"{found.sent}/{found.received}",
        )
        for contact, found in rows
    )
    common.print_table(("state", "contact", "company", "last mail", "from", "you/them"), table)
