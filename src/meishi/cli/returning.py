"""`meishi followup` and `meishi should-return`: is this gathering worth going back to?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.verdict import Verdict

VERDICT_STYLES = {"return": "bold green", "wait": "bold yellow", "skip": "bold red"}
VERDICT_WORDS = {
    "return": "Go back",
    "wait": "Wait and see",
    "skip": "Skip it",
    "unknown": "Unknown",
}


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("followup")(followup)
    app.command("should-return")(should_return)


def followup(
    event: Annotated[str, typer.Argument(help="Event id, name or name prefix.")],
    kind: Annotated[str, typer.Argument(help="thanks, survey, report or invite.")],
    date: Annotated[str, typer.Option(help="When the organizer did it.")] = "today",
    note: Annotated[str | None, typer.Option(help="A note, e.g. what the report said.")] = None,
) -> None:
    """Record what an event's organizer did afterwards.

    KIND: thanks (thanked participants), survey (a satisfaction survey),
    report (a report or minutes), invite (an invitation to the next one).
    """
    from meishi.events import FOLLOW_UP_KINDS, record_follow_up
    from meishi.resolve import find_event

    on = common.parse_date(date)
    with common.store() as store, store.write() as session:
        found = find_event(session, event)
        record_follow_up(session, found, kind, on, note, common.today())
        common.echo(f"Recorded for {found.name} ({found.date}): {FOLLOW_UP_KINDS[kind]} on {on}.")


def should_return(
    event: Annotated[str, typer.Argument(help="An event or a series (id, name or prefix).")],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Decide whether to go back, by what the organizer did after the events you attended."""
    from meishi.returning import remember
    from meishi.returning import should_return as decide

    with common.store() as store, store.write() as session:
        verdict = decide(session, event, common.today())
        remember(session, verdict, common.now())
    if as_json:
        common.print_json(verdict.to_json())
    else:
        print_verdict(verdict)


def print_verdict(verdict: Verdict) -> None:
    """The verdict in one coloured line, then its reasons."""
    if not common.is_terminal():
        common.echo(f"{verdict.verdict}: {VERDICT_WORDS[verdict.verdict]} — {verdict.series}")
        for reason in verdict.reasons:
            common.echo(f"  • {reason.text}")
        return
    from rich.table import Table
    from rich.text import Text

    style = VERDICT_STYLES.get(verdict.verdict, "bold")
    headline = Text.assemble((verdict.verdict, style), f": {VERDICT_WORDS[verdict.verdict]}")
    headline.append(common.shown(f" — {verdict.series}", one_line=True))
    reasons = Table.grid(padding=(0, 1))  # a hanging indent keeps wrapped reasons readable
    reasons.add_column(justify="right", width=3)
    reasons.add_column(overflow="fold")
    for reason in verdict.reasons:
        reasons.add_row("•", common.as_text(reason.text))
    output = common.console()
    output.print(headline)
    output.print(reasons)
