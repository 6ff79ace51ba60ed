"""`meishi send` and `meishi outbox`: mail that goes out once, one person at a time."""

from __future__ import annotations

from typing import Annotated

import typer

from meishi.cli import common

outbox_app = common.command_group(
    "Messages on their way out, and what became of them.", invoke_without_command=True
)


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("send")(send)
    app.add_typer(outbox_app, name="outbox")


def send(
    drafts: Annotated[
        list[int] | None,
        typer.Argument(help="Draft ids to send (default: the pending thank-yous, after asking)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would go out; send nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Send the pending thank-yous without asking.")
    ] = False,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Send the drafts you name, or every pending thank-you, one message per person.

    Without ids it lists the pending thank-you drafts and asks first (off a
    terminal it needs --yes). Held drafts stay; an apology goes out only when
    you name it here or with meishi apology EVENT --send.
    """
    ask = not (drafts or dry_run or yes)
    if ask:
        common.require_terminal("sending every pending thank-you")
    common.send_and_report(drafts or [], dry_run, as_json, ask=ask)


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
    from meishi import config, home
    from meishi.mail import outbox, sending

    sender = outbox.sender_from(config.load())
    with common.store() as store:
        report = sending.retry(store, sender, message, home.data_dir())
    common.report_sent([], report, as_json=False)
