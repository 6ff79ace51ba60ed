"""`meishi db`: looking after the database itself."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common

if TYPE_CHECKING:
    from meishi.store.status import Status

app = common.command_group(
    "The database itself: status, copy to another, reindex.", no_args_is_help=True
)


@app.command("reindex")
def reindex() -> None:
    """Rebuild the search index (after edits made to the database with another tool)."""
    from meishi.store.index import reindex_store
    from meishi.text import counted

    with common.store() as store:
        indexed = reindex_store(store)
    common.echo(f"Indexed {counted(indexed, 'contact')} for search.")


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the engine, where the database is, its schema version, counts and size."""
    from meishi.store.status import status as status_of

    with common.store() as store:
        found = status_of(store)
    common.emit(found.as_json() if as_json else found, as_json, _print_status)


def _print_status(found: Status) -> None:
    """The status as lines of text, the values in one column."""
    engine = "PostgreSQL" if found.engine == "postgresql" else "SQLite"
    lines: list[tuple[str, object]] = [
        ("Engine", engine),
        ("Location", found.location),
        ("Schema", found.schema),
    ]
    lines += [(name.capitalize(), count) for name, count in found.counts.items()]
    if found.size is not None:
        lines.append(("Size", _megabytes(found.size)))
    for label, value in lines:
        common.echo(f"{label + ':':<13}{value}")


def _megabytes(size: int) -> str:
    """A size in bytes as the user reads it."""
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} kB"


@app.command("copy")
def copy(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="URL",
            help="The empty database to copy into: postgresql://USER@HOST/DB or "
            "sqlite:///PATH (sqlite:////abs/path).",
        ),
    ],
) -> None:
    """Copy the whole store into an empty database (PostgreSQL or SQLite), checked."""
    from meishi.store.copy import copy_store
    from meishi.text import counted

    run = common.run()
    with common.store() as store, _progress() as progress:
        copied = copy_store(store, to, run.home.keyring_named, run.home.data, progress)
    common.echo(f"Copied {counted(copied.rows, 'row')} to {copied.where}; counts checked.")


class _Bar:
    """A progress bar on stderr while rows are copied, on a terminal only."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = typer.progressbar(length=total, label="Copying", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        """End the bar if one was shown."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@contextmanager
def _progress() -> Iterator[_Bar]:
    """A progress bar, closed at the end of the block."""
    bar = _Bar()
    try:
        yield bar
    finally:
        bar.close()
