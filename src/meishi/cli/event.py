"""`meishi event`: the events you go to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.models import Event

app = typer.Typer(help="Events you go to: add, list, show.", no_args_is_help=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The event's name, e.g. 'AI勉強会 #12'.")],
    date: Annotated[str, typer.Option("--date", help="When: 2026-11-28, yesterday, 昨日...")],
    time: Annotated[str | None, typer.Option("--time", help="Start time, HH:MM.")] = None,
    series: Annotated[str | None, typer.Option(help="The series it belongs to.")] = None,
    organizer: Annotated[str | None, typer.Option(help="The organizer's name.")] = None,
    organizer_email: Annotated[str | None, typer.Option(help="The organizer's email.")] = None,
    place: Annotated[str | None, typer.Option(help="Where it takes place.")] = None,
    fee: Annotated[int | None, typer.Option(help="The fee in yen.")] = None,
) -> None:
    """Add an event."""
    from meishi.dates import parse_time
    from meishi.events import EventInput, add_event

    given = EventInput(
        name=name,
        date=common.parse_date(date),
        start_time=parse_time(time) if time else None,
        place=place,
        series=series,
        organizer_name=organizer,
        organizer_email=organizer_email,
        fee=fee,
    )
    with common.store() as store, store.write() as session:
        event = add_event(session, given)
        typer.echo(f"Added event #{event.id} {describe(event)}")


@app.command("list")
def list_(as_json: bool = common.JSON_OPTION) -> None:
    """List events, newest first."""
    from meishi.events import event_json, list_events

    with common.store() as store, store.read() as session:
        events = list_events(session)
    if as_json:
        common.print_json([event_json(event) for event in events])
    elif not events:
        typer.echo("No events yet. Add one: meishi event add NAME --date DATE")
    else:
        rows = [
            (e.id, e.date.isoformat(), _hhmm(e), e.name, e.series, e.organizer_name) for e in events
        ]
        common.print_table(("id", "date", "time", "event", "series", "organizer"), rows)


@app.command("show")
def show(
    event: Annotated[str, typer.Argument(help="Event id, name or name prefix.")],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Show an event with the people met there and what the organizer did afterwards."""
    from meishi.events import event_detail
    from meishi.resolve import find_event

    with common.store() as store, store.read() as session:
        detail = event_detail(session, find_event(session, event))
    if as_json:
        common.print_json(detail)
        return
    _print_detail(detail)


def describe(event: Event) -> str:
    """One line naming an event: name, date, weekday and time."""
    time = _hhmm(event)
    return f"{event.name} on {event.date.isoformat()} ({event.date:%a}){' ' + time if time else ''}"


def _hhmm(event: Event) -> str:
    """The event's start time as HH:MM, or empty."""
    return event.start_time.strftime("%H:%M") if event.start_time else ""


def _print_detail(detail: dict[str, Any]) -> None:
    """Print an event's detail as text."""
    labels = ("date", "time", "place", "series", "organizer", "organizer_email", "fee")
    typer.echo(f"#{detail['id']} {detail['name']}")
    for label in labels:
        if detail.get(label) is not None:
            typer.echo(f"  {label.replace('_', ' ')}: {detail[label]}")
    typer.echo(f"People met ({len(detail['people'])}):")
    for person in detail["people"]:
        topics = ", ".join(person["topics"]) or "no topics recorded"
        typer.echo(f"  #{person['id']} {person['name']} — {topics} [{person['thank_you']}]")
    typer.echo("Organizer follow-up:" if detail["follow_ups"] else "No organizer follow-up yet.")
    for follow_up in detail["follow_ups"]:
        note = f" — {follow_up['note']}" if follow_up["note"] else ""
        typer.echo(f"  {follow_up['date']} {follow_up['kind']}{note}")
