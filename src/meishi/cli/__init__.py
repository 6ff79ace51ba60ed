"""The meishi command line: parses and renders; the domain modules decide.

Only typer is imported at module level here and in the command modules, so
that `meishi --help` starts fast; heavy libraries load inside the commands.
"""

from typing import Any

import typer
from typer.core import TyperGroup

from meishi.cli import common
from meishi.errors import MeishiError


class MeishiGroup(TyperGroup):
    """A command group that turns meishi's named errors into one line and an exit code."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Refuse an argument that is not valid UTF-8 before any command sees it."""
        from meishi.validation import check_arguments

        try:
            check_arguments(args)
        except MeishiError as error:
            raise refusal(error) from None
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a MeishiError becomes a one-line message on stderr."""
        try:
            return super().invoke(ctx)
        except MeishiError as error:
            raise refusal(error) from None


def refusal(error: MeishiError) -> typer.Exit:
    """Say what went wrong in one line on stderr; the exit (with the error's code) to raise."""
    typer.echo(f"meishi: {one_line(str(error))}", err=True)
    return typer.Exit(error.exit_code)


def one_line(text: str) -> str:
    """Text with control characters shown as escapes, so a message stays one line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


app = common.command_group(
    "名刺 meishi: the people you meet, what you talked about, and whether to go back.",
    cls=MeishiGroup,
    name="meishi",
    no_args_is_help=True,
)


def _register() -> None:
    """Join the command modules to the app."""
    from meishi.cli import (
        add,
        agenda,
        attendance,
        config,
        contacts,
        demo,
        event,
        returning,
        send,
        templates,
        thank,
        transfer,
    )

    app.add_typer(event.app, name="event")
    app.add_typer(contacts.app, name="contacts")
    app.add_typer(config.app, name="config")
    app.add_typer(templates.app, name="templates")
    add.register(app)
    contacts.register(app)
    thank.register(app)
    send.register(app)
    attendance.register(app)
    agenda.register(app)
    returning.register(app)
    demo.register(app)
    transfer.register(app)


_register()


def main() -> None:
    """Entry point of the `meishi` script."""
    app()
