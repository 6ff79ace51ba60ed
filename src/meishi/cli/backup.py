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
    """Copy the database consistently, even while meishi is in use; owner-only."""
    from meishi.store.backup import back_up

    current = common.run()
    common.echo(f"Backed up to {back_up(current.home, common.now(), file, current.location)}")
