"""``scanpipe sheets cover|part|separator|patch``: print the sheets that structure a scanned stack.

The operator prints a cover sheet per legacy file (and part sheets between its
parts), puts them in the stack and scans everything in one go; the hot-folder
watcher splits the stack on the sheets and registers what they say.
"""

from __future__ import annotations

from pathlib import Path

import click

from scanpipe.sheets.split import PART_LABELS, PARTS, Sheet, SheetKind

_PART_HELP = ", ".join(f"{p} ({PART_LABELS[p][1]})" for p in PARTS)
_output = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="PDF to write (A4, ready to print).",
)
_copies = click.option(
    "--copies",
    default=1,
    show_default=True,
    type=click.IntRange(1, 500),
    help="Pages to put in the PDF, e.g. a stack of separators to keep by the scanner.",
)


def _write(sheet: Sheet, output: Path, copies: int) -> None:
    """Render and write, turning a too-long text into a usage error (exit code 2)."""
    from scanpipe.sheets.render import write_sheets_pdf

    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_sheets_pdf([sheet] * copies, output)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    what = f"{sheet.kind.value} sheet"
    if sheet.file_no:
        what += f" for file {sheet.file_no}"
    if sheet.part:
        what += f", part {sheet.part}"
    click.echo(f"wrote {output} ({what}; {copies} page{'s' if copies > 1 else ''})")


def _sheet(**fields: object) -> Sheet:
    try:
        return Sheet(**fields)  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group(name="sheets")
def sheets() -> None:
    """Print QR cover, part and separator sheets for scanning many files in one stack.

    A cover sheet starts a new file and gives its file number, subject, part and
    page count; a part sheet starts a new part (notes, correspondence, appendices);
    a separator just starts a new file. Sheets are never kept as pages.
    """


@sheets.command()
@click.option("--file-no", required=True, help="File number, e.g. A-21001(3)/5/2008/DFG.")
@click.option("--subject", required=True, help="Subject of the file (Hindi or English).")
@click.option(
    "--part", type=click.Choice(PARTS), help=f"Part the first pages belong to: {_PART_HELP}."
)
@click.option(
    "--pages",
    type=click.IntRange(1),
    help="Total pages of the file, all parts, sheets not counted; a different count is "
    "flagged for review.",
)
@click.option("--office", help="Office, e.g. Collectorate Mungeli.")
@click.option("--section", help="Section, e.g. Establishment.")
@_output
@_copies
def cover(
    file_no: str,
    subject: str,
    part: str | None,
    pages: int | None,
    office: str | None,
    section: str | None,
    output: Path,
    copies: int,
) -> None:
    """A cover sheet: put it on top of a file's first page (कवर शीट)."""
    sheet = _sheet(
        kind=SheetKind.COVER,
        file_no=file_no,
        subject=subject,
        part=part,
        declared_pages=pages,
        office=office,
        section=section,
    )
    _write(sheet, output, copies)


@sheets.command()
@click.option("--part", required=True, type=click.Choice(PARTS), help=f"The part: {_PART_HELP}.")
@click.option(
    "--pages",
    type=click.IntRange(1),
    help="Pages in this part, sheets not counted; a different count is flagged for review.",
)
@_output
@_copies
def part(part: str, pages: int | None, output: Path, copies: int) -> None:
    """A part sheet: put it before the first page of a part of the file (भाग शीट)."""
    _write(_sheet(kind=SheetKind.PART, part=part, declared_pages=pages), output, copies)


@sheets.command()
@_output
@_copies
def separator(output: Path, copies: int) -> None:
    """A plain separator: starts a new file with no metadata (विभाजक शीट)."""
    _write(_sheet(kind=SheetKind.SEPARATOR), output, copies)


@sheets.command()
@click.option(
    "--code",
    default="T",
    show_default=True,
    type=click.Choice(["T", "2", "3", "1", "4", "6"]),
    help="Kodak patch code: T and 2 separate files, 3 separates batches (all start a new "
    "file here); 1, 4 and 6 are kept as pages.",
)
@_output
@_copies
def patch(code: str, output: Path, copies: int) -> None:
    """A Kodak patch-code sheet, for scanners that separate documents by patch code (पैच शीट)."""
    from scanpipe.sheets.patch import write_patch_pdf

    output.parent.mkdir(parents=True, exist_ok=True)
    write_patch_pdf([code] * copies, output)
    click.echo(f"wrote {output} (patch {code} sheet; {copies} page{'s' if copies > 1 else ''})")


COMMANDS: list[click.Command] = [sheets]
