"""`meishi todo`: one agenda of everything you owe."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from meishi.cli import common

if TYPE_CHECKING:
    pass


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("todo")(todo)


def todo(as_json: bool = common.JSON_OPTION) -> None:
    """Everything you owe, most urgent first, each with the command that settles it."""
    from meishi.todo import build_agenda

    with common.store() as store, store.read() as session:
        tasks = build_agenda(session, common.today())
    if as_json:
        common.print_json([task.to_json() for task in tasks])
        return
    common.print_agenda(tasks)
