"""What the command modules share: the clock, the store, and output helpers."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
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
        # Wide terminals show whole command summaries instead of cutting them at 80 columns.
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
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


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "") -> int:
    """A table on a terminal; plain tab-separated lines when piped. How many rows it printed."""
    cells = (["" if cell is None else str(cell) for cell in row] for row in rows)
    if not is_terminal():
        return _write_lines("\t".join(row) for row in cells)
    from rich.table import Table

    table = Table(*headers, title=title or None, box=None, header_style="bold")
    for row in cells:
        table.add_row(*row)
    console().print(table)
    return table.row_count


def _write_lines(lines: Iterable[str], batch: int = 2000) -> int:
    """Write lines in batches: piping 100,000 rows stays fast and memory stays flat."""
    count = 0
    for chunk in iter(lambda: list(itertools.islice(lines, batch)), []):
        sys.stdout.write("".join(line + "\n" for line in chunk))
        count += len(chunk)
    return count
