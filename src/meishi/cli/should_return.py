"""`meishi should-return`: is this gathering worth going back to?"""

from __future__ import annotations

from typing import Annotated

import typer

from meishi.cli import common


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("should-return")(should_return)


def should_return(
    event: Annotated[str, typer.Argument(help="An event or a series (id, name or prefix).")],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Decide whether to go back, by what the organizer did after the events you attended."""
    from meishi.should_return.facts import verdict_for

    with common.run().writer() as connection:  # the verdict given is kept
        verdict = verdict_for(connection, event, common.today(), common.now())
    if as_json:
        common.print_json(verdict.to_json())
    else:
        common.print_verdict(verdict)
