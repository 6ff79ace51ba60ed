"""Keeping your word: register, attend, cancel, no-show, and settling what you owe."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common

if TYPE_CHECKING:
    import datetime as dt

    from meishi.attendance.changes import Change
    from meishi.attendance.rules import Rate, Record
    from meishi.models import Event

EventArgument = Annotated[str, typer.Argument(help="Event id, name or name prefix.")]


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    app.command("register")(register_for)
    app.command("attend")(attend)
    app.command("cancel")(cancel)
    app.command("no-show")(no_show)
    app.command("apologized")(apologized)
    app.command("paid")(paid)
    app.command("apology")(apology)
    app.command("record")(record)


def register_for(event: EventArgument) -> None:
    """Mark an event you will go to as registered."""
    _change(event, "registered")


def attend(event: EventArgument) -> None:
    """Mark an event as attended."""
    _change(event, "attended")


def no_show(event: EventArgument) -> None:
    """Record that you did not go and did not cancel: you owe an apology (and the fee)."""
    _change(event, "no-show")


def cancel(
    event: EventArgument,
    at: Annotated[
        str | None, typer.Option(help="When you cancelled: 'yesterday 18:30', '17:00' (now).")
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="Why; a notice or an apology gives it in one clause.")
    ] = None,
    notify: Annotated[
        bool,
        typer.Option(
            "--notify", help="Also draft a notice to the organizer (cancelling in good time)."
        ),
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="With --notify: write it as an .eml file here.")
    ] = None,
) -> None:
    """Cancel an event; inside the window before the start it is last-minute (ドタキャン)."""
    from meishi.dates import parse_moment

    moment = parse_moment(at, common.now()) if at else None
    if notify:
        _cancel_with_notice(event, moment, reason, out)
    else:
        _change(event, "cancelled", moment, reason)


def _cancel_with_notice(
    event_text: str, at: dt.datetime | None, reason: str | None, out: Path | None
) -> None:
    """Cancel and draft the notice to the organizer in one write; show it, or say what is owed."""
    from meishi import config
    from meishi.apologies import ApologyRequest, Cancellation, cancel_with_notice

    current = common.run()
    wanted = ApologyRequest(event_text, None, current.home.templates, out, send=False)
    cancellation = Cancellation(at, reason, config.cancel_window(current.settings))
    with common.store() as store:
        done, files = cancel_with_notice(
            store, current.settings, wanted, cancellation, common.now(), current.home
        )
    common.echo(_said(done.event, done.change))
    if done.notice is None:
        common.echo(
            f"No notice drafted: an apology is owed instead (meishi apology {done.event.id})."
        )
        return
    common.console().print(common.draft_panel(done.notice, done.event.name))
    common.echo(f"Send it: meishi send {done.notice.id}")
    for path in files.written.values():
        common.echo(f"Written to {path}")
    files.check()


def _change(
    event_text: str, status: str, at: dt.datetime | None = None, reason: str | None = None
) -> None:
    """Apply one status change in a write transaction and say what it means."""
    from meishi import config
    from meishi.attendance.changes import change_attendance
    from meishi.store.resolve import find_event

    window = config.cancel_window(common.run().settings)
    with common.store() as store, store.write() as session:
        event = find_event(session, event_text)
        change = change_attendance(session, event, status, common.now(), at, reason, window)
        common.echo(_said(event, change))


def _said(event: Event, change: Change) -> str:
    """What a status change means, in a sentence or two."""

    line = f"{common.describe(event)}: {change.change.status}."
    if change.change.status == "cancelled" and not change.change.last_minute:
        line += " Cancelled in good time; thank you for letting the organizer know early."
    if change.change.last_minute:
        line += " That is a last-minute cancellation."
        if event.start_time is None:
            line += (
                " Without a start time the whole day counts as the last minute; "
                f"give it with meishi event edit {event.id} --time HH:MM."
            )
    if change.owed:
        whom = event.organizer_name or "the organizer"
        owed = " and ".join(
            "an apology (in person is best)" if o.kind == "apology" else f"the ¥{o.amount:,} fee"
            for o in change.owed
        )
        line += (
            f" You owe {whom} {owed}. Draft it: meishi apology {event.id}; "
            f"then meishi apologized {event.id} --how in-person"
            + (f" and meishi paid {event.id}" if any(o.kind == "fee" for o in change.owed) else "")
        )
    return line


def apologized(
    event: EventArgument,
    how: Annotated[str, typer.Option(help="in-person, phone or mail.")] = "in-person",
) -> None:
    """Record that you apologized to the organizer."""
    from meishi.attendance.owed import settle_apology
    from meishi.store.resolve import event_named

    with common.run().writer() as connection:  # plain: settling loads no ORM
        found = event_named(connection, event)
        settle_apology(connection, found, how, common.now())
        common.echo(f"Recorded your apology ({how}) for {found.name}.")


def paid(
    event: EventArgument,
    amount: Annotated[int | None, typer.Option(help="Yen paid (default: the fee).")] = None,
) -> None:
    """Record that you paid the fee for the seat you left empty."""
    from meishi.attendance.owed import settle_fee
    from meishi.store.resolve import event_named

    with common.run().writer() as connection:  # plain: settling loads no ORM
        found = event_named(connection, event)
        paid_yen = settle_fee(connection, found, amount, common.now())
        common.echo(f"Recorded ¥{paid_yen:,} paid for {found.name}.")


def apology(
    event: EventArgument,
    out: Annotated[Path | None, typer.Option(help="Also write it as an .eml file here.")] = None,
    send: Annotated[bool, typer.Option("--send", help="Send it through your mail server.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show what --send would send; send nothing (no mail server needed)."
        ),
    ] = False,
    template: Annotated[
        str | None, typer.Option(help="Template (default: apology-ja or apology-en).")
    ] = None,
    to_drafts: bool = common.flag(
        "--to-drafts", help_text="Put it into your mailbox's Drafts folder, to send it yourself."
    ),
) -> None:
    """Draft an apology to the organizer: short, sincere, no excuses, offering to pay."""
    from meishi.apologies import ApologyRequest, draft_apology

    if to_drafts:
        common.check_drafts_folder(send or dry_run)  # before drafting: a refusal changes nothing
    current = common.run()
    settings = common.settings_to_draft(dry_run)
    wanted = ApologyRequest(event, template, current.home.templates, out, send and not dry_run)
    with common.store() as store:
        prepared, files = draft_apology(store, settings, wanted, common.now(), current.home)
    draft_id = prepared.draft.id
    assert draft_id is not None
    if send or dry_run:
        common.send_and_report([draft_id], dry_run=dry_run, as_json=False)
    elif to_drafts:
        common.push_and_report([draft_id], as_json=False)
    else:
        common.console().print(common.draft_panel(prepared.draft, prepared.event.name))
    for path in files.written.values():
        common.echo(f"Written to {path}")
    common.report_left_alone(files)
    files.check()


def record(as_json: bool = common.JSON_OPTION) -> None:
    """Your record: registered, attended, cancelled, no-shows, and what is still owed."""
    from meishi.attendance.record import your_record

    with common.run().reader() as connection:
        result, owed = your_record(connection, common.today())
    if as_json:
        common.print_json(_record_json(result, owed))
    else:
        _print_record(result, owed)


def _rate_json(rate: Rate) -> dict[str, object]:
    """A rate as counts and a share."""
    return {"incidents": rate.incidents, "committed": rate.committed, "rate": round(rate.share, 3)}


def _record_json(result: Record, owed: list[dict[str, object]]) -> dict[str, object]:
    """The record as JSON-ready values."""
    return {
        "counts": result.counts,
        "last_minute": result.last_minute,
        "rate": _rate_json(result.overall),
        "by_organizer": {name: _rate_json(r) for name, r in result.by_organizer.items()},
        "by_series": {name: _rate_json(r) for name, r in result.by_series.items()},
        "owed": owed,
        "warnings": result.warnings,
    }


def _print_record(result: Record, owed: list[dict[str, object]]) -> None:
    """The record as a few plain lines."""
    counts = result.counts
    typer.echo(
        f"Registered {counts['registered']}, attended {counts['attended']}, "
        f"cancelled {counts['cancelled']} ({result.last_minute} at the last minute), "
        f"no-shows {counts['no-show']}."
    )
    typer.echo(f"Last-minute rate: {_percent(result.overall)} overall.")
    for label, rates in (("organizer", result.by_organizer), ("series", result.by_series)):
        for name, rate in rates.items():
            if rate.incidents:
                common.echo(f"  {label} {name}: {_percent(rate)}")
    for item in owed:
        event = item["event"]
        what = "an apology" if item["kind"] == "apology" else f"the ¥{item['amount']:,} fee"
        common.echo(f"Still owed: {what} for {event['name']} ({event['date']})")  # type: ignore[index]
    for warning in result.warnings:
        common.echo(f"Warning: {warning}")
    if not result.warnings and not owed:
        typer.echo("Nothing owed, no pattern: organizers can count on you.")


def _percent(rate: Rate) -> str:
    """A rate as 'N of M (P%)'."""
    return f"{rate.incidents} of {rate.committed} ({rate.share:.0%})"
