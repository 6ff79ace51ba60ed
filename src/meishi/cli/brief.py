"""`meishi brief`: what to know before going (back) to a gathering."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.briefing import Brief, Headcount, Meeting, Person

# Without --all, a long brief is cut here, each cut saying how many more there are.
MAX_PEOPLE = 10
MAX_MEETINGS = 3  # per person, the latest first
MAX_TOPICS = 5  # per person
# Your own status, as the brief's second line says it.
STATUS_WORDS = {
    "registered": "You are registered",
    "attended": "You went",
    "cancelled": "You cancelled",
    "no-show": "You did not go",
}
# A relationship's state as a person's line says it.
STATE_WORDS = {"none": "no mail yet"}


def register(app: typer.Typer) -> None:
    """Add the command to the app."""
    app.command("brief")(brief)


def brief(
    event: Annotated[
        str, typer.Argument(help="An event (id, name or prefix), or a series: its next one.")
    ],
    all_: Annotated[
        bool, typer.Option("--all", help="Show everyone met, every meeting and every topic.")
    ] = False,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Before going (again): the verdict, whom you met there, what you still owe."""
    from meishi.briefing import brief_for

    most = None if all_ or as_json else MAX_PEOPLE  # only those shown are read in full
    with common.run().writer() as connection:  # the verdict given is kept
        found = brief_for(connection, event, common.today(), common.now(), most)
    if as_json:
        common.print_json(found.to_json())
    else:
        print_brief(found, all_)


def print_brief(found: Brief, all_: bool) -> None:
    """The brief as text: the event, the verdict, the people, what is owed."""
    common.echo(f"Brief for {found.name} — {found.on}, {_when(found.days_ahead)}")
    common.echo(_about(found))
    _print_verdict(found)
    _print_people(found, all_)
    _print_owed(found)


def _when(days_ahead: int) -> str:
    """How far the event is from today, in words."""
    near = {0: "today", 1: "tomorrow", -1: "yesterday"}
    if days_ahead in near:
        return near[days_ahead]
    return f"in {days_ahead} days" if days_ahead > 0 else f"{-days_ahead} days ago"


def _about(found: Brief) -> str:
    """The second line: your status, the series and the organizer."""
    parts = [STATUS_WORDS.get(found.status, found.status), f"series {found.series}"]
    if found.organizer:
        parts.append(f"organizer {found.organizer}")
    return " · ".join(parts)


def _print_verdict(found: Brief) -> None:
    """Whether to go back, and why (what is owed comes last, on its own)."""
    verdict = found.verdict.verdict
    typer.echo(f"\nShould you go back? {verdict}: {common.VERDICT_WORDS[verdict]}")
    for reason in found.reasons:
        common.echo(f"  • {reason.text}")


def _print_people(found: Brief, all_: bool) -> None:
    """Everyone met there, sprouting first, cut at MAX_PEOPLE unless all_."""
    if not found.met.people:
        typer.echo("\nPeople you met there: nobody recorded yet.")
        when = "After you go, record" if found.days_ahead > 0 else "Record"
        typer.echo(f"  {when} them: meishi add --event {found.event_id}")
        return
    typer.echo(f"\nPeople you met there: {_tally(found.met)}")
    shown = found.people if all_ else found.people[:MAX_PEOPLE]
    for person in shown:
        _print_person(person, all_)
    if len(shown) < found.met.people:
        more = found.met.people - len(shown)
        typer.echo(f"  … and {more} more; meishi brief {found.event_id} --all shows everyone")


def _tally(met: Headcount) -> str:
    """How many were met, by relationship state, and how many were never thanked."""
    by_state = ", ".join(f"{count} {STATE_WORDS.get(state, state)}" for state, count in met.states)
    return f"{met.people} ({by_state}); {met.never_thanked} never thanked"


def _print_person(person: Person, all_: bool) -> None:
    """One person: name, reading and company, state; where you met; what you talked about."""
    reading = f" ({person.reading})" if person.reading and person.reading != person.name else ""
    company = f", {person.company}" if person.company else ""
    thanked = "; never thanked" if person.never_thanked else ""
    state = STATE_WORDS.get(person.state, person.state)
    common.echo(f"  • {person.name}{reading}{company} — {state}{thanked}")
    meetings = [_meeting(meeting) for meeting in reversed(person.meetings)]
    common.echo(f"    met at {_cut(meetings, MAX_MEETINGS, all_)}")
    if person.topics:
        common.echo(f"    talked about: {_cut(list(person.topics), MAX_TOPICS, all_)}")


def _meeting(meeting: Meeting) -> str:
    """Where and when you met, and whether you thanked them for it."""
    thanked = "thanked" if meeting.thanked else "not thanked"
    return f"{meeting.event} ({meeting.on}, {thanked})"


def _cut(items: list[str], most: int, all_: bool) -> str:
    """Items joined by semicolons, cut at `most` with how many more (unless all_)."""
    if all_ or len(items) <= most:
        return "; ".join(items)
    return "; ".join(items[:most]) + f"; and {len(items) - most} more"


def _print_owed(found: Brief) -> None:
    """What you still owe the organizer, or that you owe nothing."""
    if not found.owed:
        typer.echo("\nYou owe the organizer nothing.")
        return
    typer.echo("\nYou still owe the organizer:")
    for reason in found.owed:
        common.echo(f"  • {reason.text}")
