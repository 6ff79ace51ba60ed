"""`meishi import`, `export`, `backup` and `merge`: your cards in and out of meishi."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from meishi.cli import common
from meishi.formats.registry import files_help, names, spoken

if TYPE_CHECKING:
    from meishi.exporting import Exported
    from meishi.importing import ImportReport, Tally


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
    for report in import_files(wanted, common.today(), common.now(), common.store):
        reports.append(report)
        if not as_json:
            _print_report(report, dry_run)
    if as_json:
        common.print_json([_report_json(r) for r in reports])
    elif dry_run:
        typer.echo("Dry run: nothing was stored.")


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
