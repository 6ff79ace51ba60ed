"""`meishi demo`: the whole loop on sample data, in a throwaway home."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from meishi.cli import common


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("demo")(demo)


def demo(
    keep: Annotated[bool, typer.Option(help="Keep the sample home and print where it is.")] = False,
) -> None:
    """Show what meishi does: events, people, thank-you drafts and verdicts, on sample data."""
    from meishi import home

    sample_home = Path(tempfile.mkdtemp(prefix="meishi-demo-"))
    previous = os.environ.get(home.HOME_ENV)
    os.environ[home.HOME_ENV] = str(sample_home)  # every step below uses the sample home
    try:
        _run()
    finally:
        _restore(home.HOME_ENV, previous)
        if keep:
            typer.echo(f"\nThe sample home is kept: MEISHI_HOME={sample_home} meishi ...")
        else:
            shutil.rmtree(sample_home, ignore_errors=True)


def _run() -> None:
    """Populate the sample home and walk through the evening after an event."""
    from meishi import config, home
    from meishi.demo import ME, populate
    from meishi.drafts.box import check_out_folder, write_eml_files
    from meishi.should_return.facts import should_return
    from meishi.thank_yous import prepare_thanks, unthanked
    from meishi.todo import build_agenda

    today = common.today()
    for key, value in ME.items():
        config.set_value(key, value)
    me = {key.removeprefix("me."): value for key, value in ME.items()} | {"signature": ""}
    out = home.data_dir() / "drafts"
    with common.store() as store, store.write() as session:
        series = populate(session, common.now())
        _heading("1. Yesterday's event and the people met there (meishi add)")
        typer.echo("   4 cards added to 'Tokyo AI 勉強会 #12', with the topics talked about.")
        _heading(
            "2. Thank-you drafts, one per person (meishi thank --since yesterday --out drafts)"
        )
        encounters = unthanked(session, common.parse_date("yesterday"), None, today)
        run = prepare_thanks(session, encounters, me, today, None, home.templates_dir())
        check_out_folder(out)
        write_eml_files(run.letters(), out, me, common.now()).check()
        common.print_run(run, out)
        _heading("3. Should you go back? (meishi should-return SERIES)")
        for name in series:
            common.print_verdict(should_return(session, name, today))
            typer.echo("")
        _heading("4. What you owe, most urgent first (meishi todo)")
        typer.echo("   You cancelled Fintech Night Tokyo 4 hours before the start (meishi cancel).")
        common.print_agenda(build_agenda(session, today))


def _heading(text: str) -> None:
    """A step heading."""
    common.console().rule(common.as_text(text, style="bold"), align="left")


def _restore(name: str, value: str | None) -> None:
    """Put an environment variable back as it was."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
