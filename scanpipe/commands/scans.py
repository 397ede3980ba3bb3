"""Scanned files: ``search``, ``text``, ``list`` and ``file pages`` (was ``show``).

These read what ``convert`` and the hot folders registered: OCR text, pages
and archive paths. ``file show`` is the e-Office record of a file (fields,
place, parts); ``file pages`` is its scan. The old top-level ``show`` stays a
hidden alias of ``file pages`` for one release. Reads of a file are audited as
the acting user (``commands/_shared.py``).
"""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanpipe.commands._shared import acting, acting_user, hidden_alias, log_view, open_registry
from scanpipe.commands.files import file_group
from scanpipe.registry.search_filter import SearchFilter
from scanpipe.routing import Routing

out = Console(highlight=False)


@click.command()
@click.argument("query")
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--exact", is_flag=True, help="Only the words as typed: no other spellings.")
@acting
@click.pass_context
def search(ctx: click.Context, query: str, limit: int, exact: bool, login: str | None) -> None:
    """Full-text search over OCR text and final notes, Hindi and English (खोज).

    Other spellings (संबंध/सम्बन्ध), Roman-script Hindi (tahsildar), glossary
    words (collector) and OCR misreadings are found after the exact words;
    end a word with * for the words it begins (तहसील*).
    """
    with open_registry(ctx) as registry:
        routing = Routing(registry)
        who = acting_user(login)
        where = SearchFilter(reader=routing.reader(who))  # only files this user may read
        hits = registry.search(query, limit=limit, exact=exact, where=where)
        routing.log_access(None, who, "search", q=query, hits=len(hits))
        nearest = [] if hits else registry.suggest(query)
    if not hits:
        out.print(f"No pages match {query!r}. / कोई पृष्ठ नहीं मिला।")
        if nearest:
            out.print("Did you mean / क्या आपका आशय: " + ", ".join(nearest))
        return
    for hit in hits:
        snippet = Text()
        for segment, matched in hit.snippet:
            snippet.append(segment, style="bold black on yellow" if matched else "")
        where = (
            f"file {hit.file_id} note ¶{hit.page_number}  "
            if hit.kind == "note"
            else f"file {hit.file_id} page {hit.page_number}  "
        )
        origin = "" if hit.kind == "note" else str(hit.source_path)
        out.print(Text(where, style="bold cyan") + Text(origin, style="dim"))
        out.print(Text("  ") + snippet)
        if hit.also_matched:
            also = ", ".join(hit.also_matched)
            out.print(Text(f"  also matched / यह भी मिला: {also}", style="dim"))


_SOURCE_LABELS = {
    "unicode": "text layer / पाठ परत",
    "legacy": "Kruti/DevLys decoded / कृति देव से",
    "ocr": "OCR",
}


@file_group.command(name="pages")
@click.argument("file_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the file and its pages.")
@acting
@click.pass_context
def pages(ctx: click.Context, file_id: int, as_json: bool, login: str | None) -> None:
    """A scanned file's pages, their confidences and its archive paths (``file show``: fields).

    "missing" is the share of a page's text-like ink that gave no words: a page
    that lost text is never ``ok``, whatever its confidence. "text from" says
    whether the page's text is the PDF's own layer, a decoded Kruti Dev layer or
    OCR, and why.
    """
    with open_registry(ctx) as registry:
        log_view(registry, file_id, "view", login, what="pages")
        info = registry.get_file(file_id)
    if as_json:
        rows = [
            {
                "number": p.number,
                "status": p.status,
                "confidence": p.confidence,
                "missing": p.missing,
                "reason": p.reason or None,
                "reading": p.reading or None,
                "text_source": p.text_source or None,
                "source_note": p.source_note or None,
            }
            for p in info.pages
        ]
        click.echo(json.dumps({"file": info.id, "pages": rows}, ensure_ascii=False))
        return
    out.print(f"[bold]File {info.id}[/]  {info.source_path}")
    out.print(f"sha256 {info.sha256}  pages {info.page_count}  registered {info.created_at}")
    out.print(f"PDF/A: {info.pdf_path}\ntext:  {info.text_path}")
    table = Table(
        "page", "status", "confidence", "missing", "skew°", "orientation°", "text from", "reason"
    )
    for p in info.pages:
        source = _SOURCE_LABELS.get(p.text_source, p.text_source or "–")
        table.add_row(
            str(p.number),
            p.status,
            f"{p.confidence:.1f}",
            "–" if p.missing is None else f"{p.missing:.0%}",
            f"{p.skew_deg:+.2f}",
            str(p.orientation_deg),
            source + (f": {p.source_note}" if p.source_note else ""),
            p.reason or "",
        )
    out.print(table)


@click.command()
@click.argument("file_id", type=int)
@click.option("--page", type=int, help="Only this page (1-based).")
@acting
@click.pass_context
def text(ctx: click.Context, file_id: int, page: int | None, login: str | None) -> None:
    """Print the OCR text of a file, or of one page."""
    with open_registry(ctx) as registry:
        log_view(registry, file_id, "view", login, what=f"text page {page}" if page else "text")
        body = registry.page_text(file_id, page)
    click.echo(body)


@click.command(name="list")
@click.option("--limit", default=50, show_default=True, help="At most this many files.")
@click.pass_context
def list_files(ctx: click.Context, limit: int) -> None:
    """List registered files, newest first."""
    with open_registry(ctx) as registry:
        files = registry.list_files(limit=limit)
    table = Table("id", "pages", "review", "registered", "source")
    for f in files:
        table.add_row(
            str(f.id),
            str(f.page_count),
            str(f.pages_for_review),
            str(f.created_at)[:19],
            str(f.source_path),
        )
    out.print(table)


COMMANDS: list[click.Command] = [
    search,
    text,
    list_files,
    hidden_alias(pages, "show", "file pages"),
]
