"""What the command modules share: the clock, the store, and output helpers."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
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


# What would act on a terminal instead of being seen, or hide or reorder what is seen:
# C0 and C1 controls and DEL, bidi marks and overrides, zero-width characters, line and
# paragraph separators, and lone surrogates (which cannot even be encoded). As regex ranges.
_C0 = r"\x00-\x1f"
_OTHER_HIDDEN = (
    r"\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff"
)
_HIDDEN_IN_CELL = re.compile(f"[{_C0}{_OTHER_HIDDEN}]")
_HIDDEN_IN_TEXT = re.compile(rf"(?![\n\t])[{_C0}{_OTHER_HIDDEN}]")  # a note may have lines
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


def print_json(data: Any) -> None:
    """Print data as indented JSON, Japanese left readable, hidden characters as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    typer.echo(_HIDDEN_IN_JSON.sub(lambda match: f"\\u{ord(match[0]):04x}", text))


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
