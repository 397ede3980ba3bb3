"""``scanpipe page``: the page review queue, pages OCR could not read well (the web's /review).

Who is acting follows the one rule in ``commands/_shared.py``; the OS account
(``os:NAME``) is enough here, and every action is audited by ``page_review``.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from scanpipe.commands._shared import acting, acting_user, open_registry, settings_of
from scanpipe.registry import page_review
from scanpipe.registry.page_review import PageState

out = Console(highlight=False)


def _done(state: PageState) -> None:
    out.print(
        f"file {state.file_id} page {state.number}: {state.status}"
        + (f" ({state.reason})" if state.reason else "")
    )


@click.group(name="page")
def page_group() -> None:
    """The page review queue: list, correct, blank, move, accept, retry / पृष्ठ समीक्षा."""


@page_group.command(name="list")
@click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(1, 10_000), help="At most."
)
@click.pass_context
def list_pages(ctx: click.Context, limit: int) -> None:
    """Failed and doubtful pages waiting for a person, those missing most text first.

    "missing" is the share of the page's text-like ink that gave no words.
    """
    with open_registry(ctx) as registry:
        pages = page_review.review_pages(registry, limit=limit)
    table = Table("file", "page", "status", "confidence", "missing", "reason")
    for p in pages:
        missing = "–" if p.missing is None else f"{p.missing:.0%}"
        table.add_row(
            str(p.file_id), str(p.number), p.status, f"{p.confidence:.0f}", missing, p.reason
        )
    out.print(table if pages else "Nothing waits for review. / समीक्षा हेतु कुछ नहीं है।")


@page_group.command()
@click.argument("file_id", type=int)
@click.argument("number", type=int)
@click.option("--text", "body", help="The page's text; default: read from --from-file.")
@click.option("--from-file", type=click.File("r", encoding="utf-8"), help="File with the text.")
@acting
@click.pass_context
def correct(
    ctx: click.Context,
    file_id: int,
    number: int,
    body: str | None,
    from_file: click.File | None,
    login: str | None,
) -> None:
    """Replace a page's OCR text with a corrected one (updates the search index)."""
    if body is None:
        if from_file is None:
            raise click.UsageError("give --text or --from-file")
        body = from_file.read()  # type: ignore[attr-defined]
    with open_registry(ctx) as registry:
        _done(page_review.correct_text(registry, file_id, number, body or "", acting_user(login)))


@page_group.command()
@click.argument("file_id", type=int)
@click.argument("number", type=int)
@acting
@click.pass_context
def blank(ctx: click.Context, file_id: int, number: int, login: str | None) -> None:
    """Mark a page blank: no text, out of the search index and the review queue."""
    with open_registry(ctx) as registry:
        _done(page_review.mark_blank(registry, file_id, number, acting_user(login)))


@page_group.command()
@click.argument("file_id", type=int)
@click.argument("number", type=int)
@click.option("--to", "to_file", type=int, required=True, help="The file the page belongs to.")
@acting
@click.pass_context
def move(ctx: click.Context, file_id: int, number: int, to_file: int, login: str | None) -> None:
    """Move a page scanned into the wrong file to the end of the right one."""
    with open_registry(ctx) as registry:
        _done(page_review.move_page(registry, file_id, number, to_file, acting_user(login)))


@page_group.command()
@click.argument("file_id", type=int)
@click.argument("number", type=int)
@acting
@click.pass_context
def accept(ctx: click.Context, file_id: int, number: int, login: str | None) -> None:
    """Accept a page's OCR text as it is."""
    with open_registry(ctx) as registry:
        _done(page_review.accept_page(registry, file_id, number, acting_user(login)))


@page_group.command()
@click.argument("file_id", type=int)
@click.argument("number", type=int)
@click.option("--rotate", type=click.Choice(["0", "90", "180", "270"]), help="Force a turn.")
@click.option("--lang", "langs", help="Tesseract languages, e.g. hin+eng or eng.")
@click.option("--dpi", type=click.IntRange(100, 600), help="Render/upscale to this dpi.")
@acting
@click.pass_context
def retry(
    ctx: click.Context,
    file_id: int,
    number: int,
    rotate: str | None,
    langs: str | None,
    dpi: int | None,
    login: str | None,
) -> None:
    """OCR one page again with other settings, through the pipeline's page stage."""
    from scanpipe.page_retry import retry_page

    settings = settings_of(ctx)
    with open_registry(ctx) as registry:
        state = retry_page(
            registry,
            settings,
            file_id,
            number,
            by=acting_user(login),
            rotate=int(rotate) if rotate is not None else None,
            langs=langs,
            dpi=dpi,
        )
    _done(state)


COMMANDS = [page_group]
