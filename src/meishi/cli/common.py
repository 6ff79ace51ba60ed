"""What the command modules share: the run (home, clock, settings, store) and output helpers."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from meishi.attendance.rules import Scheduled
    from meishi.dates import Direction, Reading
    from meishi.drafts.box import EmlFiles
    from meishi.mail.outbox import Planned, Queued, SendReport
    from meishi.mail.sending import SendOutcome
    from meishi.models import Draft
    from meishi.run import Run
    from meishi.should_return.rules import Verdict
    from meishi.store.drafting import StoredDraft
    from meishi.store.engine import Store
    from meishi.store.sql import ReadConnection
    from meishi.thank_yous import ThankRun
    from meishi.todo import Task

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of text.")
YES_OPTION = typer.Option(
    False, "--yes", "-y", help="Delete without asking (needed off a terminal)."
)

# Commands that only show or copy out what is stored; a mistyped command is pointed at
# these first, so that a typo never ends in a command that records something.
READING_COMMANDS = frozenset(
    {"search", "todo", "record", "should-return", "export", "backup", "demo", "outbox"}
    | {"list", "show", "get"}
)
MAX_SUGGESTED_COMMANDS = 4


class CommandGroup(TyperGroup):
    """A group of commands whose unknown-command message suggests reading commands first."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command named first in args; a name meishi does not know is one clear line."""
        typed = args[0] if args else ""
        if self._is_unknown(ctx, typed):
            from meishi.errors import UnknownCommand

            raise UnknownCommand(unknown_command(self, _spoken_path(ctx), typed))
        return super().resolve_command(ctx, args)

    def _is_unknown(self, ctx: Any, typed: str) -> bool:
        """True for a command name (not an option) that the group does not have."""
        if not typed or typed.startswith("-") or ctx.resilient_parsing:
            return False  # an option, or shell completion: click handles those
        return self.get_command(ctx, typed) is None


def _spoken_path(ctx: Any) -> str:
    """The command as the user types it: `meishi event`, however meishi was started."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["meishi", *reversed(names)])


def unknown_command(group: TyperGroup, path: str, typed: str) -> str:
    """One line: the command is unknown, and the closest ones, reading commands first."""
    suggested = [f"`{words}`" for words in suggest_commands(group, path, typed)]
    unknown = f"there is no `{path} {typed[:40]}`"
    if not suggested:
        return f"{unknown}; see `{path} --help`"
    from meishi.text import one_of

    return f"{unknown}; did you mean {one_of(suggested)}?"


def suggest_commands(group: TyperGroup, path: str, typed: str) -> list[str]:
    """The commands (and the group's sub-commands) named like typed, reading ones first."""
    import difflib

    scored = []
    for name, words, command in _commands_under(group, path):
        likeness = difflib.SequenceMatcher(None, typed.casefold(), name).ratio()
        if likeness >= 0.6:  # difflib.get_close_matches's own cut-off
            scored.append((may_record(name, command), -likeness, words))
    return [words for *_, words in sorted(scored)[:MAX_SUGGESTED_COMMANDS]]


def _commands_under(group: TyperGroup, path: str) -> Iterator[tuple[str, str, Any]]:
    """(name, full command, command) for a group's commands and their sub-commands."""
    for name, command in group.commands.items():
        if command.hidden:
            continue
        yield name, f"{path} {name}", command
        for sub, inner in getattr(command, "commands", {}).items():
            yield sub, f"{path} {name} {sub}", inner


def may_record(name: str, command: Any) -> bool:
    """True for a command that may change what is stored (a group itself does nothing,
    unless, like `followup`, it runs its first command by default)."""
    if isinstance(command, DefaultCommandGroup):
        return True
    return name not in READING_COMMANDS and not hasattr(command, "commands")


def command_group(help_text: str, **settings: Any) -> typer.Typer:
    """A group of commands with meishi's settings: plain help, -h, no pretty tracebacks.

    Plain help because Rich's help formatting costs ~80 ms at every `--help`.
    """
    settings.setdefault("cls", CommandGroup)
    return typer.Typer(
        help=help_text,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        # Wide terminals show whole command summaries instead of cutting them at 80 columns.
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
        **settings,
    )


def run() -> Run:
    """The command's run (run.py): its home, clock, settings and store, started by the root
    command; outside a command (a script, a test), a run of its own."""
    from meishi.run import current, start

    return current() or start()


class DefaultCommandGroup(TyperGroup):
    """A group whose first command runs when the first argument names none of its commands:
    `meishi followup EVENT KIND` is `meishi followup record EVENT KIND`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Put the first command's name in front when no command is named."""
        first = next(iter(self.commands), None)
        if first and args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [first, *args]
        return super().parse_args(ctx, args)


def delete_with_care(kind: str, text: str, yes: bool) -> None:
    """Delete a contact, event or follow-up: say what goes with it, and go ahead only with
    --yes or the user's yes on a terminal (off one, refuse, the store untouched)."""
    from meishi.deleting import delete, plan_removal
    from meishi.errors import BadValue

    with store() as opened:
        with opened.read() as session:
            key, removal = plan_removal(session, kind, text)
        if not yes:
            if not sys.stdin.isatty():
                raise BadValue(f"not on a terminal: add --yes to delete {removal.summary()}")
            if not typer.confirm(shown(f"Delete {removal.summary()}?", True), default=False):
                typer.echo("Nothing was deleted.")
                raise typer.Exit(1)
        removed = delete(opened, kind, key, run().home.data)
    echo(f"Deleted {removed.summary()}.")
    if removed.record():
        echo(removed.record())


def today() -> dt.date:
    """Today's date on this machine, as the run took it at its start."""
    return run().today


def now() -> dt.datetime:
    """The time the run started, in the local zone, timezone-aware."""
    return run().now


def parse_date(text: str, direction: Direction | None = None, say: bool = True) -> dt.date:
    """A user's date phrase relative to today (a year-less one in the past unless told)."""
    from meishi.dates import day_only

    reading = _reading(text, direction)
    day = day_only(text, reading)
    _say(text, reading, say)
    return day


def read_date(text: str, direction: Direction | None = None) -> Reading:
    """A user's date phrase, perhaps with a start time (2026/12/01(火) 19:00〜21:00)."""
    reading = _reading(text, direction)
    _say(text, reading, True)
    return reading


def _reading(text: str, direction: Direction | None) -> Reading:
    """What a date phrase says, read from today in the direction (the past by default)."""
    from meishi.dates import Direction, read_date

    return read_date(text, today(), direction or Direction.PAST)


def _say(text: str, reading: Reading, say: bool) -> None:
    """Show how a day written without its year was read: `12/1 → 2026-12-01 (Tue)`."""
    from meishi.dates import resolved

    if reading.year_less and say:
        echo(resolved(text, reading))


@contextmanager
def store() -> Iterator[Store]:
    """The run's store: opened at the first use in a command, closed when the command ends."""
    from meishi.run import current, running

    inside = current()
    if inside is not None:
        yield inside.store
        return
    with running() as alone:  # outside a command: closed at the end of this block
        yield alone.store


# What would act on a terminal instead of being seen, or hide or reorder what is seen:
# C0 and C1 controls and DEL, bidi marks and overrides, zero-width characters, line and
# paragraph separators, and lone surrogates (which cannot even be encoded). As regex ranges.
_C0 = r"\x00-\x1f"
_OTHER_HIDDEN = (
    r"\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff"
)
_HIDDEN_IN_CELL = re.compile(f"[{_C0}{_OTHER_HIDDEN}]")
# A note may have lines: C0 but tab (\x09) and line feed (\x0a). A class alone, not a
# lookahead before it: twice as fast over the megabyte `todo` prints at 100k contacts.
_HIDDEN_IN_TEXT = re.compile(rf"[\x00-\x08\x0b-\x1f{_OTHER_HIDDEN}]")
_HIDDEN_IN_JSON = re.compile(f"[{_OTHER_HIDDEN}]")  # json.dumps escapes C0 itself


def shown(value: object, one_line: bool = False) -> str:
    """User data as display text: characters that would act on a terminal appear escaped."""
    text = "" if value is None else str(value)
    pattern = _HIDDEN_IN_CELL if one_line else _HIDDEN_IN_TEXT
    return pattern.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    """A character as Python writes it in a string: \\x1b, \\u202e."""
    return repr(match[0])[1:-1]


def echo(text: str, err: bool = False) -> None:
    """Print a line holding user data, shown as text (see shown())."""
    typer.echo(shown(text), err=err)


def echo_lines(lines: Iterable[str]) -> None:
    """Print lines holding user data (see shown()) in batches, not a call each: an event
    with a thousand people met there prints as fast as a table of them."""
    _write_lines(shown(line) for line in lines)


def print_json(data: Any) -> None:
    """Print data as indented JSON, Japanese left readable, hidden characters as \\u escapes."""
    import json  # not at module level: `meishi search` prints text

    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    typer.echo(_HIDDEN_IN_JSON.sub(lambda match: f"\\u{ord(match[0]):04x}", text))


def emit(data: Any, as_json: bool, printer: Callable[[Any], None]) -> None:
    """Print data as JSON when asked, else as the command's text."""
    if as_json:
        print_json(data)
    else:
        printer(data)


def show_detail(
    read: Callable[[ReadConnection], dict[str, Any]],
    as_json: bool,
    printer: Callable[[Any], None],
) -> None:
    """Read one thing's detail over the plain read connection, then print it as JSON or text."""
    with run().reader() as connection:
        detail = read(connection)
    emit(detail, as_json, printer)


def flag(*names: str, help_text: str) -> Any:
    """An option that is off unless given: --dry-run, --send, -y/--yes."""
    return typer.Option(False, *names, help=help_text)


def console() -> Console:
    """A rich console for output (imported only when output needs it).

    Print only renderables built from rich.text.Text (see as_text()): a plain string
    would be parsed as markup, and a name like 'Tanaka [/]' would crash it.
    """
    from rich.console import Console

    return Console(highlight=False, markup=False, emoji=False)


def as_text(value: object, style: str = "") -> Any:
    """User data as a rich Text: never parsed as markup, hidden characters escaped."""
    from rich.text import Text

    return Text(shown(value, one_line=True), style=style)


def is_terminal() -> bool:
    """True when output goes to a terminal rather than a pipe or file."""
    return sys.stdout.isatty()


def require_terminal(doing: str) -> None:
    """Refuse, off a terminal, what would ask for a yes first: --yes is needed there."""
    from meishi.errors import NotOnTerminal

    if not sys.stdin.isatty():
        raise NotOnTerminal(f"{doing} asks first, and this is not a terminal: add --yes")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "") -> int:
    """A table on a terminal; plain tab-separated lines when piped. How many rows it printed."""
    cells = (_cells(row) for row in rows)
    if not is_terminal():
        return _write_lines("\t".join(row) for row in cells)
    from rich.table import Table
    from rich.text import Text

    table = Table(*headers, title=title or None, box=None, header_style="bold")
    for row in cells:
        table.add_row(*map(Text, row))  # Text: a cell is never parsed as markup
    console().print(table)
    return table.row_count


def _cells(row: Sequence[Any]) -> list[str]:
    """A row's values as display text, each on one line (see shown())."""
    texts = ["" if cell is None else str(cell) for cell in row]
    # Every hidden character is unprintable: most rows are done with one quick test.
    if "".join(texts).isprintable():
        return texts
    return [shown(text, one_line=True) for text in texts]


def _write_lines(lines: Iterable[str], batch: int = 2000) -> int:
    """Write lines in batches: piping 100,000 rows stays fast and memory stays flat."""
    count = 0
    for chunk in iter(lambda: list(itertools.islice(lines, batch)), []):
        sys.stdout.write("".join(line + "\n" for line in chunk))
        count += len(chunk)
    return count


def print_agenda(tasks: list[Task]) -> None:
    """Numbered tasks, each with the command that settles it."""
    if not tasks:
        typer.echo("Nothing to do: every thank-you is sent and nothing is owed.")
        return
    # One write for the whole agenda: at 100k contacts it may hold thousands of tasks.
    echo("\n".join(f"{n}. {task.text}\n   → {task.command}" for n, task in enumerate(tasks, 1)))


VERDICT_STYLES = {"return": "bold green", "wait": "bold yellow", "skip": "bold red"}


VERDICT_WORDS = {
    "return": "Go back",
    "wait": "Wait and see",
    "skip": "Skip it",
    "unknown": "Unknown",
}


def print_verdict(verdict: Verdict) -> None:
    """The verdict in one coloured line, then its reasons."""
    if not is_terminal():
        echo(f"{verdict.verdict}: {VERDICT_WORDS[verdict.verdict]} — {verdict.series}")
        for reason in verdict.reasons:
            echo(f"  • {reason.text}")
        return
    from rich.table import Table
    from rich.text import Text

    style = VERDICT_STYLES.get(verdict.verdict, "bold")
    headline = Text.assemble((verdict.verdict, style), f": {VERDICT_WORDS[verdict.verdict]}")
    headline.append(shown(f" — {verdict.series}", one_line=True))
    reasons = Table.grid(padding=(0, 1))  # a hanging indent keeps wrapped reasons readable
    reasons.add_column(justify="right", width=3)
    reasons.add_column(overflow="fold")
    for reason in verdict.reasons:
        reasons.add_row("•", as_text(reason.text))
    output = console()
    output.print(headline)
    output.print(reasons)


def print_run(run: ThankRun, out: Path | None) -> None:
    """Show each draft as a panel, then the skipped people and a summary."""
    if not run.drafts and not run.skipped:
        typer.echo(run.why_nothing())
        return
    output = console()
    for item in run.drafts:
        late = f"late: {item.days_after} days after; the day after is best" if item.late else ""
        names = " · ".join(event.name for event in item.events) or item.event.name
        output.print(draft_panel(item.draft, names, late))
    for skipped in run.skipped:
        echo(f"Skipped {skipped.contact.full_name} ({skipped.event.name}): {skipped.reason}")
    for item in run.drafts:
        if item.topic_command:
            echo(
                f"Generic: no topic is recorded for {item.contact.full_name}, so the draft cannot"
                f" refer back to your talk; to add one: {item.topic_command}"
            )
    where = f"; written to {out}" if out else "; add --out DIR to save them as .eml files"
    echo(f"{len(run.drafts)} draft(s) ready{where}." if run.drafts else run.why_nothing())


def report_left_alone(files: EmlFiles) -> None:
    """A line for each .eml file left alone because you changed it since meishi wrote it."""
    for draft_id, path in files.left_alone.items():
        echo(
            f"Left {path} alone: it changed since meishi wrote it. Draft #{draft_id} as it is "
            f"now: meishi drafts show {draft_id}; remove the file to have it written again."
        )


def draft_panel(draft: Draft | StoredDraft, event_name: str, warning: str = "") -> Any:
    """A rich panel showing one draft as a mail client would."""
    from rich.panel import Panel
    from rich.text import Text

    text = Text()
    text.append(shown(f"To: {draft.to_name} <{draft.to_addr}>\n"), style="bold")
    text.append(shown(f"Subject: {draft.subject}\n\n"), style="bold")
    text.append(shown(draft.body))
    # A Text title: a plain string title would be parsed as markup.
    title = as_text(f"draft #{draft.id} · {event_name}{' — ' + warning if warning else ''}")
    return Panel(text, title=title, title_align="left", border_style="red" if warning else "")


def describe(event: Scheduled) -> str:
    """One line naming an event: name, date, weekday and time."""
    time = hhmm(event)
    return f"{event.name} on {event.date.isoformat()} ({event.date:%a}){' ' + time if time else ''}"


def hhmm(event: Scheduled) -> str:
    """The event's start time as HH:MM, or empty."""
    return event.start_time.strftime("%H:%M") if event.start_time else ""


def _warn_if_unencrypted(settings: dict[str, str]) -> None:
    """Warn when mail would cross the network unencrypted."""
    from meishi import config

    warning = config.unencrypted_warning(settings)
    if warning:
        echo(warning, err=True)


def _show_dry_run(skipped: list[Queued], planned: list[Planned], as_json: bool) -> None:
    """What would go out (recipient, subject and size), and the drafts that would not."""
    if as_json:
        import dataclasses  # here: the read commands, importing this module, never need it

        print_json(
            {
                "dry_run": True,
                "skipped": _skipped_json(skipped),
                "messages": [dataclasses.asdict(row) for row in planned],
            }
        )
        return
    _show_skipped(skipped)
    for row in planned:
        what = f"draft #{row.draft}" if row.message is None else f"queued message #{row.message}"
        echo(f"would send {what} to {row.to}: {row.subject} ({row.size} bytes)")
    typer.echo(f"Dry run: {len(planned)} message(s) would be sent; nothing was sent.")


def _skipped_json(queued: list[Queued]) -> list[dict[str, Any]]:
    """The drafts that were not queued, and why, as JSON-ready values."""
    return [{"draft": q.draft.id, "reason": q.reason} for q in queued if q.reason]


def _show_skipped(queued: list[Queued]) -> None:
    """A line for each draft that was not queued, saying why."""
    for item in queued:
        if item.reason:
            echo(f"not queued: draft #{item.draft.id} to {item.draft.to_addr}: {item.reason}")


def report_sent(queued: list[Queued], report: SendReport, as_json: bool) -> None:
    """What was sent, refused, left, and why a batch stopped."""
    from meishi.mail.outbox import outbox_json

    if as_json:
        print_json(
            {
                "skipped": _skipped_json(queued),
                **{
                    name: [outbox_json(m) for m in getattr(report, name)]
                    for name in ("sent", "failed", "unknown", "retry_later")
                },
                "left": report.left,
                "stopped": report.stopped,
            }
        )
        return
    _show_skipped(queued)
    for label, messages in (
        ("sent", report.sent),
        ("FAILED", report.failed),
        ("UNKNOWN", report.unknown),
        ("try later", report.retry_later),
    ):
        for message in messages:
            error = f" — {message.last_error}" if message.last_error else ""
            echo(f"{label}: #{message.id} to {message.to_addr}: {message.subject}{error}")
    echo(_summary(report))
    if report.stopped or report.failed or report.unknown:
        raise typer.Exit(1)


def _summary(report: SendReport) -> str:
    """One line: the counts, and what to do next."""
    line = (
        f"{len(report.sent)} sent, {len(report.failed)} failed, {len(report.unknown)} unknown; "
        f"{report.left} left in the queue."
    )
    if report.stopped:
        line += f" Stopped: {report.stopped}. Run meishi send again later."
    if report.unknown:
        line += " Unknown ones are never re-sent by themselves: see meishi outbox."
    return line


def settings_to_draft(dry_run: bool) -> dict[str, str]:
    """The settings, with the sender's address checked first when a dry run is to follow,
    so that its refusal comes before anything is drafted."""
    settings = run().settings
    if dry_run:
        from meishi.mail import outbox

        outbox.mail_from(settings)
    return settings


def send_and_report(draft_ids: list[int], dry_run: bool, as_json: bool, ask: bool = False) -> None:
    """Queue the drafts and send them (or only show it, for a dry run); with `ask`, list
    what would go out and send it only when the user says yes."""
    from meishi.mail import outbox, sending

    current = run()
    if dry_run:  # a dry run talks to no mail server, so it needs none set up
        me = outbox.mail_from(current.settings)
        with store() as opened:
            _show_dry_run(*outbox.dry_run(opened, draft_ids, me, now()), as_json)
        return
    sender = outbox.sender_from(current.settings, current.home.keyring_named)
    _warn_if_unencrypted(current.settings)
    with store() as opened:
        if ask and not _confirm_sending(
            sending.send_drafts(opened, sender, [], True, now(), current.home.data, current.clock)
        ):
            return
        outcome = sending.send_drafts(
            opened, sender, draft_ids, False, now(), current.home.data, current.clock
        )
    assert outcome.report is not None
    report_sent(outcome.queued, outcome.report, as_json)


def _confirm_sending(plan: SendOutcome) -> bool:
    """List what a sending run would send and ask; False when there is nothing or the user
    says no."""
    planned = plan.planned or []
    _show_skipped(plan.queued)  # those in the Drafts folder too, so none seems forgotten
    if not planned:
        typer.echo(
            "Nothing to send: no pending thank-you drafts. An apology goes out only with "
            "meishi apology EVENT --send or meishi send ID."
        )
        return False
    for row in planned:
        what = f"draft #{row.draft}" if row.message is None else f"queued message #{row.message}"
        echo(f"{what} to {row.to}: {row.subject}")
    if typer.confirm(f"Send these {len(planned)} message(s)?", default=False):
        return True
    typer.echo("Nothing was sent.")
    return False


def push_and_report(draft_ids: list[int], as_json: bool) -> None:
    """Put the drafts into the mailbox's Drafts folder and say where each went."""
    from meishi.drafts.pushing import push_drafts

    current = run()
    with store() as opened:
        pushed = push_drafts(opened, current.settings, current.home.keyring_named, draft_ids, now())
    if as_json:
        print_json(
            [
                {
                    "id": p.draft_id,
                    "to": p.to,
                    "email": p.email,
                    "folder": p.folder,
                    "replaced": p.replaced,
                }
                for p in pushed
            ]
        )
        return
    for p in pushed:
        how = "replaced the copy put there before" if p.replaced else "new"
        echo(f"Put draft #{p.draft_id} to {p.to} into {p.folder} ({how}).")
    if pushed:
        typer.echo("Open them in your mail client to adjust and send them.")


def check_drafts_folder(sending: bool) -> None:
    """Refuse --to-drafts with --send or --dry-run, and log in to the mailbox before
    drafting anything."""
    from meishi.errors import BadValue
    from meishi.mail.imap import check_mailbox

    if sending:
        raise BadValue("--to-drafts cannot go with --send or --dry-run: choose one")
    current = run()
    check_mailbox(current.settings, current.home.keyring_named)
