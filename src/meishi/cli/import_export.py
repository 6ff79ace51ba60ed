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
from meishi.formats.registry import files_help, names, spoken

if TYPE_CHECKING:
    from meishi.exporting import Exported
    from meishi.formats.textfile import LinePosition
    from meishi.importing import ImportReport, Tally
    from meishi.inputs import Record


def register(root: typer.Typer) -> None:
    """Add the import and export commands to the app."""
    root.command("import")(import_)
    root.command("export")(export)


def import_(
    files: Annotated[list[Path], typer.Argument(help=files_help())],
    format_: Annotated[
        str | None, typer.Option("--format", help=f"{spoken(names())} (default: detected).")
    ] = None,
    event: Annotated[
        str | None, typer.Option(help="Link every imported contact to this event.")
    ] = None,
    map_: Annotated[
        str | None,
        typer.Option("--map", help="CSV columns to fields: 'Full Name=name,Mail=email'."),
    ] = None,
    dry_run: bool = common.flag(
        "--dry-run", help_text="Show what would be imported; store nothing."
    ),
    skip_bad: bool = common.flag(
        "--skip-bad", help_text="Import the good records; list the bad ones."
    ),
    as_json: bool = common.JSON_OPTION,
) -> None:
    """Import contacts and events from vCard, CSV (Eight, Google, LinkedIn), iCalendar or JSON."""
    from meishi.importing import ImportRequest, import_files

    wanted = ImportRequest(files, format_, map_, event, skip_bad, dry_run)
    reports = []
    for report in import_files(wanted, common.today(), common.now(), common.store, _progress):
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
    _print_names("company written in full", report.in_full)
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
        "company_in_full": report.in_full.names,
        "restored": report.restored,
        "skipped": report.skipped,
    }


def export(
    format_: Annotated[
        str, typer.Option("--format", help=f"{spoken(names(exported=True))}.")
    ] = "vcard",
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
    from meishi.exporting import export as export_to

    _print_exported(export_to(format_, version, out, common.run().home, common.store))


def _print_exported(exported: Exported) -> None:
    """The export's text, exact byte for byte; or where it was written."""
    for chunk in exported.text:
        typer.echo(chunk, nl=False)
    if exported.contacts is not None:
        common.echo(f"Exported {exported.contacts} contacts to {exported.written_to}", err=True)
    elif exported.written_to is not None:
        common.echo(f"Exported to {exported.written_to}", err=True)
