"""`meishi todo`: one agenda of everything you owe."""

from __future__ import annotations

import typer

from meishi.cli import common


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("todo")(todo)


def todo(as_json: bool = common.JSON_OPTION) -> None:
    """Everything you owe, most urgent first, each with the command that settles it."""
    from meishi.todo import build_agenda

    with common.run().reader() as connection:
        tasks = build_agenda(connection, common.today())
    if as_json:
        common.print_json([task.to_json() for task in tasks])
        return
    common.print_agenda(tasks)
