"""`meishi thank`: one thank-you draft for each person met, the day after."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common

if TYPE_CHECKING:
    import datetime as dt

    from meishi.drafts.box import EmlFiles
    from meishi.thank_yous import ThankRun


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("thank")(thank)


def thank(
    since: Annotated[
        str | None,
        typer.Option(help="Events on or after this date (default: yesterday)."),
    ] = None,
    event: Annotated[str | None, typer.Option(help="Only people met at this event.")] = None,
    template: Annotated[
        str | None, typer.Option(help="Template name (default: thank-ja or thank-en).")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(help="Write every draft in this language (ja or en) this time."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write each draft as an .eml file in this folder.")
    ] = None,
    mark_sent: Annotated[
        str | None,
        typer.Option("--mark-sent", metavar="CONTACT", help="Record the thank-you as sent."),
    ] = None,
    send: bool = common.flag("--send", help_text="Send the drafts through your mail server."),
    dry_run: bool = common.flag(
        "--dry-run", help_text="With --send: show what would go out, send nothing."
    ),
    to_drafts: bool = common.flag(
        "--to-drafts",
        help_text="Put the drafts into your mailbox's Drafts folder, to send them yourself.",
    ),
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Draft a short, individual thank-you to each person you met.

    Each draft goes to exactly one person and refers back to what you talked
    about. Running it again shows the same drafts; it never duplicates them.
    """
    if mark_sent is not None:
        _mark_sent(mark_sent, event)
        return
    if to_drafts:
        common.check_drafts_folder(
            send or dry_run
        )  # before drafting: a mailbox refusing us changes nothing
    start = common.parse_date(since, say=not as_json) if since else None
    run, files = _prepare(start, event, template, lang, out, send, dry_run)
    ids = [item.draft.id for item in run.drafts if item.draft.id is not None]
    if (send or to_drafts) and not ids:
        what = "send" if send else "put into the Drafts folder"
        typer.echo(f"{run.why_nothing()} There is nothing to {what}.")
    elif send:
        common.send_and_report(ids, dry_run, as_json)
    elif to_drafts:
        common.push_and_report(ids, as_json)
    elif as_json:
        common.print_json(_run_json(run, files))
    else:
        common.print_run(run, out)
        common.report_left_alone(files)
    files.check()  # after the rest: one draft's file never stops the others


def _prepare(
    start: dt.date | None,
    event: str | None,
    template: str | None,
    lang: str | None,
    out: Path | None,
    send: bool,
    dry_run: bool,
) -> tuple[ThankRun, EmlFiles]:
    """Draft the thank-yous asked for, stored, with their .eml files."""
    from meishi.thank_yous import ThankRequest, draft_thank_yous

    current = common.run()
    settings = common.settings_to_draft(send and dry_run)
    wanted = ThankRequest(
        start, event, template, current.home.templates, out, send and not dry_run, lang
    )
    # On the plain writer: drafting imports no ORM, and writes in one transaction.
    return draft_thank_yous(
        current.writer, settings, wanted, common.today(), common.now(), current.home
    )


def _mark_sent(contact_text: str, event_text: str | None) -> None:
    """Record that a thank-you went out."""
    from meishi.store.adding import contact_by_id
    from meishi.store.resolve import contact_id_named, event_named
    from meishi.thank_yous import mark_sent

    with common.run().writer() as connection:  # plain: no ORM to load for one meeting
        contact = contact_by_id(connection, contact_id_named(connection, contact_text))
        assert contact is not None  # just named, in the same transaction
        event = event_named(connection, event_text) if event_text else None
        met_at = mark_sent(connection, contact, event, common.now())
    common.echo(f"Recorded the thank-you to {contact.full_name} for {met_at} as sent.")


def _run_json(run: ThankRun, files: EmlFiles) -> dict[str, Any]:
    """The drafts and skipped people as JSON-ready values."""
    return {
        "drafts": [
            {
                "id": item.draft.id,
                "contact": {"id": item.contact.id, "name": item.contact.full_name},
                "event": {"id": item.event.id, "name": item.event.name},
                "to": item.draft.to_addr,
                "subject": item.draft.subject,
                "body": item.draft.body,
                "template": item.draft.template,
                "days_after": item.days_after,
                "late": item.late,
                "file": files.path_of(item.draft),
                "file_left_alone": str(files.left_alone[item.draft.id])
                if item.draft.id in files.left_alone
                else None,
                "events": [{"id": e.id, "name": e.name} for e in item.events],
                "generic": item.topic_command is not None,
                "add_topic": item.topic_command,
            }
            for item in run.drafts
        ],
        "skipped": [
            {"contact": {"id": s.contact.id, "name": s.contact.full_name}, "reason": s.reason}
            for s in run.skipped
        ],
    }
