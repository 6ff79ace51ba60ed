"""`meishi should-return`: is this gathering worth going back to?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common

if TYPE_CHECKING:
    pass


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("should-return")(should_return)


def should_return(
    event: Annotated[str, typer.Argument(help="An event or a series (id, name or prefix).")],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Decide whether to go back, by what the organizer did after the events you attended."""
    from meishi.should_return.facts import remember
    from meishi.should_return.facts import should_return as decide

    with common.store() as store, store.write() as session:
        verdict = decide(session, event, common.today())
        remember(session, verdict, common.now())
    if as_json:
        common.print_json(verdict.to_json())
    else:
        common.print_verdict(verdict)
