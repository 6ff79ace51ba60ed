"""`meishi send` and `meishi outbox`: mail that goes out once, one person at a time."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.mail.outbox import Planned, Queued, Sender, SendReport

outbox_app = common.command_group(
    "Messages on their way out, and what became of them.", invoke_without_command=True
)


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("send")(send)
    app.add_typer(outbox_app, name="outbox")


def send(
    drafts: Annotated[
        list[int] | None, typer.Argument(help="Draft ids (default: every unsent draft).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would go out; send nothing.")
    ] = False,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Send saved drafts through your mail server, one message per person."""
    send_drafts(drafts or [], dry_run, as_json)


def send_drafts(draft_ids: list[int], dry_run: bool, as_json: bool) -> None:
    """Queue the drafts and send everything queued (or only show it, for a dry run)."""
    from meishi import config
    from meishi.mail import outbox

    sender = outbox.sender_from(config.load())
    _warn_if_unencrypted()
    with common.store() as store:
        if dry_run:
            skipped, planned = outbox.dry_run(store, draft_ids, sender.me, common.now())
            _show_dry_run(skipped, planned, as_json)
            return
        with store.write() as session:
            queued = outbox.enqueue(
                session, outbox.pending_drafts(session, draft_ids), sender.me, common.now()
            )
        report = _send(store, sender)
    _show_report(queued, report, as_json)
    if report.stopped or report.failed or report.unknown:
        raise typer.Exit(1)


def _send(store: Any, sender: Sender, only: list[int] | None = None) -> SendReport:
    """Send the queue, saying each result as it happens."""
    from meishi import home
    from meishi.mail import outbox

    return outbox.send_queued(store, sender, home.data_dir(), only)


def _warn_if_unencrypted() -> None:
    """Warn when mail would cross the network unencrypted."""
    from meishi import config

    warning = config.unencrypted_warning(config.load())
    if warning:
        common.echo(warning, err=True)


def _show_dry_run(skipped: list[Queued], planned: list[Planned], as_json: bool) -> None:
    """What would go out (recipient, subject and size), and the drafts that would not."""
    if as_json:
        common.print_json(
            {
                "dry_run": True,
                "skipped": _skipped_json(skipped),
                "messages": [dataclasses.asdict(row) for row in planned],
            }
        )
        return
    _show_skipped(skipped)
    for row in planned:
        what = f"draft #{row.draft}" if row.message is None else f"queued message #{row.message}"
        common.echo(f"would send {what} to {row.to}: {row.subject} ({row.size} bytes)")
    typer.echo(f"Dry run: {len(planned)} message(s) would be sent; nothing was sent.")


def _skipped_json(queued: list[Queued]) -> list[dict[str, Any]]:
    """The drafts that were not queued, and why, as JSON-ready values."""
    return [{"draft": q.draft.id, "reason": q.reason} for q in queued if q.reason]


def _show_skipped(queued: list[Queued]) -> None:
    """A line for each draft that was not queued, saying why."""
    for item in queued:
        if item.reason:
            common.echo(
                f"not queued: draft #{item.draft.id} to {item.draft.to_addr}: {item.reason}"
            )


def _show_report(queued: list[Queued], report: SendReport, as_json: bool) -> None:
    """What was sent, refused, left, and why a batch stopped."""
    from meishi.mail.outbox import outbox_json

    if as_json:
        common.print_json(
            {
                "skipped": _skipped_json(queued),
                **{
                    name: [outbox_json(m) for m in getattr(report, name)]
                    for name in ("sent", "failed", "unknown", "retry_later")
                },
                "left": report.left,
                "stopped": report.stopped,
            }
        )
        return
    _show_skipped(queued)
    for label, messages in (
        ("sent", report.sent),
        ("FAILED", report.failed),
        ("UNKNOWN", report.unknown),
        ("try later", report.retry_later),
    ):
        for message in messages:
            error = f" — {message.last_error}" if message.last_error else ""
            common.echo(f"{label}: #{message.id} to {message.to_addr}: {message.subject}{error}")
    common.echo(_summary(report))


def _summary(report: SendReport) -> str:
    """One line: the counts, and what to do next."""
    line = (
        f"{len(report.sent)} sent, {len(report.failed)} failed, {len(report.unknown)} unknown; "
        f"{report.left} left in the queue."
    )
    if report.stopped:
        line += f" Stopped: {report.stopped}. Run meishi send again later."
    if report.unknown:
        line += " Unknown ones are never re-sent by themselves: see meishi outbox."
    return line


@outbox_app.callback()
def outbox_list(ctx: typer.Context, as_json: bool = common.JSON_OPTION) -> None:
    """List every message in the outbox with its state."""
    from meishi.mail.outbox import list_outbox, outbox_json, state_meaning

    if ctx.invoked_subcommand is not None:
        return
    with common.store() as store, store.read() as session:
        rows = [outbox_json(m) for m in list_outbox(session)]
    if as_json:
        common.print_json(rows)
        return
    if not rows:
        typer.echo("The outbox is empty.")
        return
    table = [
        (r["id"], r["state"], r["to"], r["subject"], r["sent"] or r["updated"], r["error"] or "")
        for r in rows
    ]
    common.print_table(("id", "state", "to", "subject", "when", "server said"), table)
    for state in sorted({r["state"] for r in rows}):
        common.echo(f"{state}: {state_meaning(state)}", err=True)


@outbox_app.command("retry")
def retry(message: Annotated[int, typer.Argument(help="The outbox message id.")]) -> None:
    """Send one failed or unknown message again, on your explicit request."""
    from meishi import config
    from meishi.mail import outbox

    sender = outbox.sender_from(config.load())
    with common.store() as store:
        with store.write() as session:
            outbox.requeue(session, message)
        report = _send(store, sender, only=[message])
    _show_report([], report, as_json=False)
    if report.stopped or report.failed or report.unknown:
        raise typer.Exit(1)
