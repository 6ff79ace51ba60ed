"""`meishi import`, `export`, `backup` and `merge`: your cards in and out of meishi."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from meishi.cli import common
from meishi.formats.registry import EXPORT_FORMATS, FORMATS, spoken

if TYPE_CHECKING:
    from meishi.formats.textfile import LinePosition
    from meishi.importing import ImportReport, Tally
    from meishi.inputs import Record


def register(root: typer.Typer) -> None:
    """Add the import and export commands to the app."""
    root.command("import")(import_)
    root.command("export")(export)


def import_(
    files: Annotated[
        list[Path], typer.Argument(help="vCard, CSV, iCalendar or meishi JSON files.")
    ],
    format_: Annotated[
        str | None, typer.Option("--format", help=f"{spoken(FORMATS)} (default: detected).")
    ] = None,
    event: Annotated[
        str | None, typer.Option(help="Link every imported contact to this event.")
    ] = None,
    map_: Annotated[
        str | None,
        typer.Option("--map", help="CSV columns to fields: 'Full Name=name,Mail=email'."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be imported; store nothing.")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good records; list the bad ones.")
    ] = False,
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Import contacts and events from vCard, CSV (Eight, Google, LinkedIn), iCalendar or JSON."""
    from meishi.formats.csvfile import parse_map
    from meishi.formats.registry import open_source
    from meishi.importing import import_source

    mapping = parse_map(map_) if map_ is not None else None
    # Every file is checked (readable, known format, --map fits) before any is imported.
    sources = [open_source(path, format_, mapping, common.today()) for path in files]
    reports = []
    with common.store() as store:
        for source in sources:
            with _progress(source.path) as seen:
                report = import_source(store, source, common.now(), event, skip_bad, dry_run, seen)
            reports.append(report)
            if not as_json:
                _print_report(report, dry_run)
    if as_json:
        common.print_json([_report_json(r) for r in reports])
    elif dry_run:
        typer.echo("Dry run: nothing was stored.")


@contextmanager
def _progress(path: Path) -> Iterator[Callable[[Record], None] | None]:
    """A progress bar on stderr for one file (rows, bytes and their rates) on a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from meishi.formats.textfile import LinePosition

    rows = TextColumn("{task.fields[rows]:,} rows ({task.fields[rate]:,.0f}/s)")
    name = TextColumn("{task.description}", markup=False)  # a file name is never markup
    columns = (name, BarColumn(), rows, DownloadColumn(), TransferSpeedColumn())
    bar = Progress(*columns, console=Console(stderr=True))
    shown = _ImportBar(bar, LinePosition(path), common.shown(path.name, one_line=True))
    try:
        with bar:
            yield shown.seen
            shown.show(finished=True)
    finally:
        shown.position.close()


class _ImportBar:
    """One file's rows and bytes on a progress bar, redrawn at most ten times a second."""

    EVERY = 0.1  # seconds; updating the bar for each of 100,000 rows would slow the import

    def __init__(self, bar: Any, position: LinePosition, name: str) -> None:
        self.bar, self.position = bar, position
        self.task = bar.add_task(name, total=position.size, rows=0, rate=0.0)
        self.rows = self.line = 0
        self.shown_at = 0.0

    def seen(self, record: Record) -> None:
        """Count a row applied; redraw when the last redraw is old enough."""
        self.rows, self.line = self.rows + 1, record.line
        if time.monotonic() - self.shown_at >= self.EVERY:
            self.show()

    def show(self, finished: bool = False) -> None:
        """Move the bar to the end of the last row's line (or of the file), with the rate."""
        self.shown_at = time.monotonic()
        elapsed = self.bar.tasks[0].elapsed or 0.0
        rate = self.rows / elapsed if elapsed else 0.0
        done = self.position.size if finished else self.position.after(self.line)
        self.bar.update(self.task, completed=done, rows=self.rows, rate=rate)


def _print_report(report: ImportReport, dry_run: bool) -> None:
    """What one file's import did, in words."""
    would = "would be " if dry_run else ""
    parts = [
        f"{report.created.count} new",
        f"{report.merged.count} merged",
        f"{report.unchanged} unchanged",
    ]
    if report.events_created.count or report.events_known:
        parts.append(f"{report.events_created.count} new events, {report.events_known} known")
    if report.encounters:
        parts.append(f"{report.encounters} encounter{'s' if report.encounters != 1 else ''}")
    if report.restored:
        parts = [f"{n} {table.replace('_', ' ')}" for table, n in report.restored.items() if n]
        parts = parts or ["nothing new"]
    common.echo(f"{report.path} ({report.format}): {would}{', '.join(parts)}")
    if dry_run:
        _print_names("new", report.created)
        _print_names("merged", report.merged)
        _print_names("new event", report.events_created)
    _print_names("not changed", report.differs)
    for problem in report.skipped:
        common.echo(f"  skipped {problem}")


def _print_names(label: str, tally: Tally) -> None:
    """The names counted, a line each, and how many were not listed."""
    for name in tally.names:
        common.echo(f"  {label}: {name}")
    if tally.count > len(tally.names):
        common.echo(f"  … and {tally.count - len(tally.names)} more {label}")


def _report_json(report: ImportReport) -> dict[str, object]:
    """A report as JSON-ready values."""
    return {
        "file": report.path,
        "format": report.format,
        "created": report.created.count,
        "merged": report.merged.count,
        "unchanged": report.unchanged,
        "events_created": report.events_created.count,
        "events_known": report.events_known,
        "encounters": report.encounters,
        "not_changed": report.differs.names,
        "restored": report.restored,
        "skipped": report.skipped,
    }


def export(
    format_: Annotated[str, typer.Option("--format", help=f"{spoken(EXPORT_FORMATS)}.")] = "vcard",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write to this file (owner-only), not stdout; a folder: one .vcf per contact."
        ),
    ] = None,
    version: Annotated[
        str, typer.Option("--version", help="vCard version: 3.0 (default) or 4.0.")
    ] = "3.0",
) -> None:
    """Export contacts as vCard or CSV, or everything as JSON that import restores."""
    from meishi.errors import BadValue

    if format_ not in EXPORT_FORMATS:
        raise BadValue(f"unknown format '{format_}'; use one of: {', '.join(EXPORT_FORMATS)}")
    if out is not None and out.is_dir() and format_ == "vcard":
        _export_vdir(out, version)
        return
    chunks = _export_chunks(format_, version)
    if out is None:
        for chunk in chunks:
            typer.echo(chunk, nl=False)  # an export is exact, byte for byte
        return
    from meishi.files import private_output

    with private_output(out) as file:
        for chunk in chunks:
            file.write(chunk.encode("utf-8"))
    common.echo(f"Exported to {out}", err=True)


def _export_vdir(folder: Path, version: str) -> None:
    """One owner-only .vcf per contact in a folder: the vdir khard and vdirsyncer read."""
    from meishi import exporting
    from meishi.files import private_output
    from meishi.store import search
    from meishi.store.engine import reader

    with reader() as connection:
        rows = list(search.all_cards(connection))
    for row, text in zip(rows, exporting.vcards(iter(rows), version), strict=True):
        with private_output(folder / f"meishi-contact-{row['id']}.vcf") as file:
            file.write(text.encode("utf-8"))
    common.echo(f"Exported {len(rows)} contacts to {folder}", err=True)


def _export_chunks(format_: str, version: str) -> list[str]:
    """The export as pieces of text, read from the store before anything is written."""
    from meishi import exporting
    from meishi.store import search
    from meishi.store.engine import reader

    if format_ == "json":
        from meishi.formats.json_dump import dump_text

        with common.store() as store, store.read() as session:
            return [dump_text(session)]
    with reader() as connection:
        rows = search.all_cards(connection)
        if format_ == "csv":
            return ["\ufeff", *exporting.csv_lines(rows)]  # the BOM tells Excel it is UTF-8
        return list(exporting.vcards(rows, version))
