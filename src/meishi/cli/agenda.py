"""`meishi todo`: one agenda of everything you owe."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.agenda import Task


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("todo")(todo)


def todo(as_json: bool = common.JSON_OPTION) -> None:
    """Everything you owe, most urgent first, each with the command that settles it."""
    from meishi.agenda import build_agenda

    with common.store() as store, store.read() as session:
        tasks = build_agenda(session, common.today())
    if as_json:
        common.print_json([task.to_json() for task in tasks])
        return
    print_agenda(tasks)


def print_agenda(tasks: list[Task]) -> None:
    """Numbered tasks, each with the command that settles it."""
    if not tasks:
        typer.echo("Nothing to do: every thank-you is sent and nothing is owed.")
    for number, task in enumerate(tasks, start=1):
        common.echo(f"{number}. {task.text}\n   → {task.command}")
