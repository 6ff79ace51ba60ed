"""What the command modules share: the clock, the store, and output helpers."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from meishi.store import Store

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of text.")


def command_group(help_text: str, **settings: Any) -> typer.Typer:
    """A group of commands with meishi's settings: plain help, -h, no pretty tracebacks.

    Plain help because Rich's help formatting costs ~80 ms at every `--help`.
    """
    return typer.Typer(
        help=help_text,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        **settings,
    )


def today() -> dt.date:
    """Today's date on this machine."""
    return dt.date.today()


def now() -> dt.datetime:
    """The current time in the local zone, timezone-aware."""
    return dt.datetime.now().astimezone()


def parse_date(text: str) -> dt.date:
    """A user's date phrase relative to today."""
    from meishi.dates import parse_date as parse

    return parse(text, today())


@contextmanager
def store() -> Iterator[Store]:
    """The user's store, opened and closed around a command."""
    from meishi.store import open_store

    opened = open_store()
    try:
        yield opened
    finally:
        opened.close()


def print_json(data: Any) -> None:
    """Print data as indented JSON, Japanese left readable."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def console() -> Console:
    """A rich console for output (imported only when output needs it)."""
    from rich.console import Console

    return Console(highlight=False)


def is_terminal() -> bool:
    """True when output goes to a terminal rather than a pipe or file."""
    return sys.stdout.isatty()


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None:
    """A table on a terminal; plain tab-separated lines when piped."""
    if not is_terminal():  # one write: piping 100,000 rows stays fast
        lines = ("\t".join("" if cell is None else str(cell) for cell in row) for row in rows)
        sys.stdout.write("".join(line + "\n" for line in lines))
        return
    from rich.table import Table

    table = Table(*headers, title=title or None, box=None, header_style="bold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console().print(table)


def local_time(moment: dt.datetime | None) -> str:
    """A stored time shown in the local zone, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else ""
