"""`meishi demo`: the whole loop on sample data, in a throwaway home."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.demo import Tour


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("demo")(demo)


def demo(
    keep: Annotated[bool, typer.Option(help="Keep the sample home and print where it is.")] = False,
) -> None:
    """Show what meishi does: events, people, thank-you drafts and verdicts, on sample data.

    The sample lives in a throwaway local store, even when a server database is set."""
    from meishi.demo import tour
    from meishi.home import in_folder

    if common.run().server_url:
        # Sample people must never land in a database other people or machines share.
        common.echo(
            "The demo runs on a throwaway local store; your server database is not touched."
        )
    sample_home = Path(tempfile.mkdtemp(prefix="meishi-demo-"))
    try:
        today = common.today()
        shown = tour(in_folder(sample_home), common.now(), today, common.parse_date("yesterday"))
        _show(shown)
    finally:
        if keep:
            typer.echo(f"\nThe sample home is kept: MEISHI_HOME={sample_home} meishi ...")
        else:
            shutil.rmtree(sample_home, ignore_errors=True)


def _show(shown: Tour) -> None:
    """The evening after an event, step by step."""
    _heading("1. Yesterday's event and the people met there (meishi add)")
    typer.echo("   4 cards added to 'Tokyo AI 勉強会 #12', with the topics talked about.")
    _heading("2. Thank-you drafts, one per person (meishi thank --since yesterday --out drafts)")
    common.print_run(shown.thanks, shown.drafts)
    _heading("3. Should you go back? (meishi should-return SERIES)")
    for verdict in shown.verdicts:
        common.print_verdict(verdict)
        typer.echo("")
    _heading("4. What you owe, most urgent first (meishi todo)")
    typer.echo("   You cancelled Fintech Night Tokyo 4 hours before the start (meishi cancel).")
    common.print_agenda(shown.tasks)


def _heading(text: str) -> None:
    """A step heading."""
    common.console().rule(common.as_text(text, style="bold"), align="left")
