"""`meishi backup`: a consistent, owner-only copy of the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from meishi.cli import common


def register(root: typer.Typer) -> None:
    """Add the command to the app."""
    root.command("backup")(backup)


def backup(
    file: Annotated[
        Path | None, typer.Argument(help="Where to write it (default: backups/ in meishi's home).")
    ] = None,
) -> None:
    """Copy the database consistently, even while meishi is in use; owner-only (a server: JSON)."""
    run = common.run()
    if run.location.on_server:
        from meishi.exporting import back_up_server

        made = back_up_server(run.home, common.now(), file, common.store)
        common.echo(f"Backed up to {made} (everything meishi holds, as a JSON export)")
        common.echo("For a full backup of the server database itself, use pg_dump.")
        return
    from meishi.store.backup import back_up

    common.echo(f"Backed up to {back_up(run.home, common.now(), file)}")
