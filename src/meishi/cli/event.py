"""`meishi event`: the events you go to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.mail_follow_ups import Answer, Waiting
    from meishi.models import Event

app = common.command_group("Events you go to: add, edit, list, show, delete.", no_args_is_help=True)
followup_app = common.command_group(
    "Record what an event's organizer did afterwards (meishi followup EVENT KIND), delete "
    "such a record, or review the ones sync found in mail but was unsure of.",
    cls=common.DefaultCommandGroup,
    no_args_is_help=True,
)


TimeOption = Annotated[
    str | None, typer.Option("--time", help="Start time: 19:00, 19時, 19時30分, 19:00〜21:00.")
]
SeriesOption = Annotated[str | None, typer.Option(help="The series it belongs to.")]
NameEnOption = Annotated[
    str | None,
    typer.Option("--name-en", help="Its name in English drafts, e.g. 'Tokyo AI Meetup #12'."),
]
OrganizerOption = Annotated[str | None, typer.Option(help="The organizer's name.")]
OrganizerEmailOption = Annotated[str | None, typer.Option(help="The organizer's email.")]
PlaceOption = Annotated[str | None, typer.Option(help="Where it takes place.")]
FeeOption = Annotated[int | None, typer.Option(help="The fee in yen.")]
DATE_HELP = "When: 2026-11-28, 12/1(火), 2026/12/01(火) 19:00〜21:00, yesterday, 昨日..."
# An event's fields in the words of the options that set them.
FIELD_WORDS = {"start_time": "time", "organizer_name": "organizer"}


def register(root: typer.Typer) -> None:
    """Add the commands that live at the root (the others are under `meishi event`)."""
    followup_app.command("record")(followup)
    followup_app.command("delete")(delete_followup)
    followup_app.command("review")(review_followups)
    root.add_typer(followup_app, name="followup")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The event's name, e.g. 'AI勉強会 #12'.")],
    date: Annotated[str, typer.Option("--date", help=DATE_HELP)],
    time: TimeOption = None,
    series: SeriesOption = None,
    organizer: OrganizerOption = None,
    organizer_email: OrganizerEmailOption = None,
    place: PlaceOption = None,
    fee: FeeOption = None,
    name_en: NameEnOption = None,
) -> None:
    """Add an event (registered if it lies ahead, attended if it has taken place).

    A date without its year (12/1) is the next one to come, today included.
    """
    from meishi.dates import Direction, start_time
    from meishi.events import add_event
    from meishi.inputs import EventInput

    when = common.read_date(date, Direction.FUTURE)
    given = EventInput(
        name=name,
        date=when.day,
        start_time=start_time(when, time),
        place=place,
        series=series,
        organizer_name=organizer,
        organizer_email=organizer_email,
        fee=fee,
        name_en=name_en,
    )
    with common.store() as store, store.write() as session:
        event = add_event(session, given, common.now())
        common.echo(f"Added event #{event.id} {common.describe(event)} ({event.attendance})")


@app.command("edit")
def edit(
    event: Annotated[str, typer.Argument(help="Event id, name or name prefix.")],
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    date: Annotated[str | None, typer.Option(help=DATE_HELP)] = None,
    time: TimeOption = None,
    series: SeriesOption = None,
    organizer: OrganizerOption = None,
    organizer_email: OrganizerEmailOption = None,
    place: PlaceOption = None,
    fee: FeeOption = None,
    name_en: NameEnOption = None,
) -> None:
    """Change an event's details, e.g. add the organizer's email.

    A date without its year (12/1) is read on the side of today the event is on.
    """
    from meishi.dates import parse_time
    from meishi.errors import BadValue
    from meishi.events import edit_event
    from meishi.store.resolve import find_event

    given = {
        "name": name,
        "start_time": parse_time(time) if time else None,
        "series": series,
        "organizer_name": organizer,
        "organizer_email": organizer_email,
        "place": place,
        "fee": fee,
        "name_en": name_en,
    }
    changes = {key: value for key, value in given.items() if value is not None}
    if not changes and date is None:
        raise BadValue("nothing to change; give at least one option, e.g. --organizer-email")
    with common.store() as store, store.write() as session:
        found = find_event(session, event)
        if date is not None:
            changes.update(_new_date(date, time, found))
        changed = edit_event(session, found, changes)
        words = [FIELD_WORDS.get(name, name).replace("_", " ") for name in changed]
        what = ", ".join(words) if changed else "nothing (the values were the same)"
        common.echo(f"Changed {what} of event #{found.id} {common.describe(found)}")


def _new_date(text: str, time: str | None, event: Event) -> dict[str, Any]:
    """The date (and a start time it holds) an edit gives, read towards the event's side."""
    from meishi.dates import direction_of, start_time

    when = common.read_date(text, direction_of(event.date, common.today()))
    start = start_time(when, time)
    return {"date": when.day} | ({"start_time": start} if start is not None else {})


@app.command("list")
def list_(as_json: bool = common.JSON_OPTION) -> None:
    """List events, newest first."""
    from meishi.details import event_json
    from meishi.store.events import events_newest_first

    with common.run().reader() as connection:
        events = events_newest_first(connection)
    if as_json:
        common.print_json([event_json(event) for event in events])
    elif not events:
        typer.echo("No events yet. Add one: meishi event add NAME --date DATE")
    else:
        rows = [
            (
                e.id,
                e.date.isoformat(),
                common.hhmm(e),
                e.name,
                e.attendance,
                e.series,
                e.organizer_name,
            )
            for e in events
        ]
        headers = ("id", "date", "time", "event", "you", "series", "organizer")
        common.print_table(headers, rows)


@app.command("show")
def show(
    event: Annotated[str, typer.Argument(help="Event id, name or name prefix.")],
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Show an event with the people met there and what the organizer did afterwards."""
    from meishi.details import event_detail
    from meishi.store.resolve import event_id_named

    common.show_detail(
        lambda connection: event_detail(connection, event_id_named(connection, event)),
        as_json,
        _print_detail,
    )


def _print_detail(detail: dict[str, Any]) -> None:
    """Print an event's detail as text."""
    labels = ("date", "time", "place", "series", "organizer", "organizer_email", "fee")
    status = _STATUS_WORDS.get(detail["status"], detail["status"])
    common.echo(f"#{detail['id']} {detail['name']} ({status})")
    for label in labels:
        if detail.get(label) is not None:
            common.echo(f"  {label.replace('_', ' ')}: {detail[label]}")
    typer.echo(f"People met ({len(detail['people'])}):")
    common.echo_lines(
        f"  #{person['id']} {person['name']} — {', '.join(person['topics']) or _NO_TOPICS}"
        f" [{person['thank_you']}]"
        for person in detail["people"]
    )
    typer.echo("Organizer follow-up:" if detail["follow_ups"] else "No organizer follow-up yet.")
    for follow_up in detail["follow_ups"]:
        note = f" — {follow_up['note']}" if follow_up["note"] else ""
        mail = f' (mail: "{follow_up["subject"]}")' if follow_up["subject"] else ""
        common.echo(f"  #{follow_up['id']} {follow_up['date']} {follow_up['kind']}{note}{mail}")


@app.command("delete")
def delete(
    event: Annotated[str, typer.Argument(help="Event id, name or name prefix.")],
    yes: bool = common.YES_OPTION,
) -> None:
    """Delete an event with the meetings there, their topics and drafts, and its follow-ups.

    An event about which mail went out is kept, as the record of that mail. Asks
    first on a terminal.
    """
    common.delete_with_care("event", event, yes)


def delete_followup(
    follow_up: Annotated[str, typer.Argument(metavar="ID", help="The follow-up's id.")],
    yes: bool = common.YES_OPTION,
) -> None:
    """Delete a follow-up recorded by mistake (event show lists them with their ids)."""
    common.delete_with_care("follow-up", follow_up, yes)


_NO_TOPICS = "no topics recorded"

# Your own status, as `event show` says it.
_STATUS_WORDS = {
    "registered": "you are registered",
    "attended": "you attended",
    "cancelled": "you cancelled",
    "no-show": "you did not go: a no-show",
}


def followup(
    event: Annotated[str, typer.Argument(help="Event id, name or name prefix.")],
    kind: Annotated[str, typer.Argument(help="thanks, survey, report or invite.")],
    date: Annotated[
        str, typer.Option(help="When the organizer did it: 2026-12-01, 12/1(火), yesterday...")
    ] = "today",
    note: Annotated[str | None, typer.Option(help="A note, e.g. what the report said.")] = None,
) -> None:
    """Record what an event's organizer did afterwards.

    KIND: thanks (thanked participants), survey (a satisfaction survey),
    report (a report or minutes), invite (an invitation to the next one).
    """
    from meishi.events import record_follow_up
    from meishi.should_return.rules import FOLLOW_UP_KINDS
    from meishi.store.resolve import find_event

    on = common.parse_date(date)  # a year-less date is the last one: follow-ups have happened
    with common.store() as store, store.write() as session:
        found = find_event(session, event)
        record_follow_up(session, found, kind, on, note, common.today())
        common.echo(f"Recorded for {found.name} ({found.date}): {FOLLOW_UP_KINDS[kind]} on {on}.")


# The answers `followup review` takes, by their first letter.
REVIEW_CHOICES = "[a]ccept, [k]ind (accept as another), [r]eject, [s]kip, [q]uit"


def review_followups(
    accept: Annotated[
        int | None, typer.Option(metavar="ID", help="Accept this follow-up without asking.")
    ] = None,
    reject: Annotated[
        int | None, typer.Option(metavar="ID", help="Reject this follow-up without asking.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            metavar="KIND",
            help="With --accept: record it as this kind (thanks, survey, report, invite).",
        ),
    ] = None,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Review the follow-ups sync found in organizers' mail but was unsure of.

    Shows each (event, kind, subject, date, the phrases and links that decided)
    and asks: accept, accept as another kind, reject or skip. A decision is
    kept, so the same mail never asks again; skipped ones wait for next time.
    """
    from meishi.errors import BadValue
    from meishi.mail_follow_ups import Answer, review_all, waiting

    if accept is not None or reject is not None:
        _review_one(accept, reject, kind)
        return
    if kind is not None:
        raise BadValue(
            "--kind goes with --accept ID: meishi followup review --accept 3 --kind survey"
        )
    with common.store() as store:
        if as_json:
            with store.read() as session:
                common.print_json([item.to_json() for item in waiting(session)])
            return
        asked = decided = 0
        for item, answer in review_all(store, _ask, common.now()):
            asked += 1
            if isinstance(answer, Answer):
                decided += 1
                common.echo(f"{_decided_word(answer)}: {_review_line(item)}")
    if not asked:
        common.echo("No follow-up found in mail waits for review.")
        return
    common.echo(f"{decided} decided; any others wait for the next meishi followup review.")


def _review_one(accept: int | None, reject: int | None, kind: str | None) -> None:
    """Accept or reject one waiting follow-up, named by its id."""
    from meishi.errors import BadValue
    from meishi.mail_follow_ups import Answer, decide_one

    if accept is not None and reject is not None:
        raise BadValue("give --accept or --reject, not both")
    answer = Answer(accept is not None, kind)
    with common.store() as store:
        item = decide_one(
            store, accept if accept is not None else reject or 0, answer, common.now()
        )
    common.echo(f"{_decided_word(answer)}: {_review_line(item)}")


def _ask(item: Waiting) -> Answer | str | None:
    """Show one waiting follow-up and ask what to do: an answer, "skip", or None to stop."""
    from meishi.mail_follow_ups import SKIP, Answer

    for line in _review_lines(item):
        common.echo(line)
    try:
        said = typer.prompt(REVIEW_CHOICES, default="s", show_default=False).strip().lower()
        if said.startswith("k"):
            return Answer(True, typer.prompt("Kind (thanks, survey, report, invite)").strip())
    except typer.Abort:  # end of input: the rest wait for next time
        return None
    if said.startswith("q"):
        return None
    return {"a": Answer(True), "r": Answer(False)}.get(said[:1], SKIP)


def _review_lines(item: Waiting) -> list[str]:
    """A waiting follow-up as the review shows it."""
    return [
        f"#{item.id} {item.kind}? for {item.event} ({item.event_date})",
        f'  mail of {item.on}: "{item.subject}"',
        *(f"  - {reason}" for reason in item.reasons),
    ]


def _review_line(item: Waiting) -> str:
    """A waiting follow-up in one line."""
    return f'#{item.id} {item.kind} for {item.event} ({item.event_date}): "{item.subject}"'


def _decided_word(answer: Answer) -> str:
    """What was done, as the user said it."""
    if not answer.accept:
        return "Rejected"
    return f"Accepted as {answer.kind}" if answer.kind else "Accepted"
