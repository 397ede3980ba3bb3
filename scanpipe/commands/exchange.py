"""The register going in and out: ``import-register`` (a records room's CSV) and ``export --nic``.

Both move many files at once between scanpipe and another system; the per-file
commands are in commands/files.py.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from scanpipe.commands._shared import open_registry
from scanpipe.errors import ExitCode, ScanpipeError

out = Console(highlight=False)


class RegisterRowsError(ScanpipeError):
    """Some register rows were bad; the good ones were kept."""

    exit_code = ExitCode.PARTIAL


@click.command(name="import-register")
@click.argument("csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_register_cmd(ctx: click.Context, csv_path: Path) -> None:
    """Import a records room's physical file register (CSV); bad rows are reported by line."""
    from scanpipe.registry.register_csv import import_register

    with open_registry(ctx) as registry:
        report = import_register(registry, csv_path)
    out.print(
        f"[green]{len(report.added)} added[/], {len(report.updated)} updated, "
        f"{sum(len(v) for v in report.linked.values())} scans linked, "
        f"[red]{len(report.errors)} bad rows[/] / त्रुटिपूर्ण पंक्तियाँ"
    )
    for e in report.errors:
        click.echo(f"line {e.line}: {e.file_no or '(no file number)'}: {e.message}", err=True)
    if report.errors:
        kept = len(report.added) + len(report.updated)
        raise RegisterRowsError(
            f"{len(report.errors)} row(s) not imported (listed above); {kept} row(s) kept",
            advice="fix those lines and import the file again: kept rows are updated, "
            "never duplicated",
        )


@click.command(name="export")
@click.option(
    "--nic",
    "nic_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Write NIC's migration layout: fl-<file no>/Notes|Receipts|Issues|References.",
)
@click.pass_context
def export_cmd(ctx: click.Context, nic_dir: Path) -> None:
    """Export digitised files for e-Office migration, with a manifest."""
    from scanpipe.registry.nic import audit_export, export_nic

    with open_registry(ctx) as registry:
        records = [registry.get_record(r.id) for r in registry.list_records(limit=1_000_000)]
        report = export_nic(records, nic_dir)
        with registry.writing("auditing the export") as session:
            audit_export(session, report, None)  # the shell account that ran it
    out.print(
        f"[green]{len(report.folders)} folders[/], {report.documents} documents; "
        f"manifest: {report.manifest}"
    )
    for file_id, why in report.skipped:
        out.print(f"[yellow]skipped[/] file {file_id}: {why}")


COMMANDS: list[click.Command] = [import_register_cmd, export_cmd]
