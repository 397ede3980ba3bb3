"""e-Office registry commands: ``file register|show|edit|list|suggestions|...``.

A thin shell over the registry (``Registry.register_file`` and friends): each
command turns its options into one library call and prints the result.
Labels people read are bilingual; errors are ScanpipeErrors with advice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from scanpipe.commands._shared import (
    DATE,
    acting,
    acting_user,
    hidden_alias,
    log_view,
    open_registry,
)
from scanpipe.eoffice.terms import (
    Category,
    DocKind,
    FileState,
    Grading,
    Nature,
    PartKind,
    label,
)
from scanpipe.errors import ScanpipeError
from scanpipe.registry.eoffice_models import FileRecord

out = Console(highlight=False)


F = TypeVar("F", bound=Callable[..., Any])


def _choice(enum: type) -> click.Choice:
    return click.Choice([m.value for m in enum], case_sensitive=False)


#: (option, field, click type, help) shared by register and edit.
FIELD_OPTIONS: list[tuple[str, str, Any, str]] = [
    ("--file-no", "file_no", str, "File number as written, e.g. N-11016/6/2016-ARC-DARPG."),
    ("--subject", "subject", str, "Subject / विषय, Hindi or English."),
    ("--nature", "nature", _choice(Nature), "physical, electronic or digitised (legacy scan)."),
    ("--status", "file_state", _choice(FileState), "open, parked, closed or recorded."),
    ("--category", "category", _choice(Category), "Record category A, B or C."),
    ("--retention", "retention_years", click.IntRange(1, 10), "Years a C file is kept (1-10)."),
    ("--volume", "volume", click.IntRange(1, 99), "Volume number (I = 1)."),
    ("--room", "room", str, "Record room / अभिलेख कक्ष."),
    ("--almirah", "almirah", str, "Almirah or rack / अलमारी."),
    ("--shelf", "shelf", str, "Shelf / खाना."),
    ("--bundle", "bundle", str, "Bundle / बस्ता."),
    ("--created", "created_on", DATE, "Date the file was created."),
    ("--opened", "opened_on", DATE, "Date the file was opened."),
    ("--closed", "closed_on", DATE, "Date the file was closed (review years count from it)."),
    ("--grading", "grading", _choice(Grading), "normal, confidential, secret or top-secret."),
    ("--year", "year", click.IntRange(1900, 2100), "The file's year, if not in its number."),
    ("--office", "office", str, "Office code, e.g. COLL-MUNGELI."),
    ("--section", "section", str, "Section code, e.g. EST, REV, LR."),
    ("--pages", "declared_pages", click.IntRange(0), "Pages the paper file has."),
    ("--operator", "operator", str, "Who registered it."),
]


def field_options(f: F) -> F:
    for opt, dest, kind, text in reversed(FIELD_OPTIONS):
        f = click.option(opt, dest, type=kind, default=None, help=text)(f)
    return f


def _changes(options: dict[str, Any]) -> dict[str, Any]:
    names = {dest for _, dest, _, _ in FIELD_OPTIONS}
    return {
        k: (v.date() if isinstance(v, datetime) else v)
        for k, v in options.items()
        if k in names and v is not None
    }


@click.group(name="file")
def file_group() -> None:
    """e-Office files: register, show, edit, list, check suggestions, move (नस्ती पंजी)."""


@file_group.command()
@field_options
@click.pass_context
def register(ctx: click.Context, **options: Any) -> None:
    """Register a paper file by hand, without scans (नस्ती दर्ज करें)."""
    from scanpipe.registry.records import FileDraft

    changes = _changes(options)
    changes.setdefault("nature", Nature.PHYSICAL.value)
    with open_registry(ctx) as registry:
        file_id = registry.register_file(FileDraft(**changes))
        rec = registry.get_record(file_id)
    out.print(
        f"[green]registered / दर्ज[/] file {rec.id}, computer no. {rec.computer_no}"
        + (f", {rec.file_no_norm}" if rec.file_no_norm else "")
        + (f", review in {rec.review_year}" if rec.review_year else "")
    )
    if rec.digitised_ids:
        out.print(f"linked scans / जुड़े स्कैन: {', '.join(map(str, rec.digitised_ids))}")


@file_group.command()
@click.argument("file_id", type=int)
@field_options
@click.option("--clear", multiple=True, help="Empty a field, e.g. --clear bundle.")
@click.pass_context
def edit(ctx: click.Context, file_id: int, clear: tuple[str, ...], **options: Any) -> None:
    """Change fields of a file (नस्ती में सुधार)."""
    changes = _changes(options)
    names = {dest for _, dest, _, _ in FIELD_OPTIONS}
    for name in clear:
        key = name.replace("-", "_")
        key = {"status": "file_state", "retention": "retention_years"}.get(key, key)
        if key not in names:
            raise click.BadParameter(f"cannot clear {name!r}", param_hint="--clear")
        changes[key] = None
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    with open_registry(ctx) as registry:
        rec = registry.edit_file(file_id, changes)
    _print_record(rec)


@file_group.command()
@click.argument("file_id", type=int, required=False)
@click.option("--file-no", help="Show the files with this number instead.")
@acting
@click.pass_context
def show(ctx: click.Context, file_id: int | None, file_no: str | None, login: str | None) -> None:
    """Show everything known of a file: fields, location, parts, documents, suggestions."""
    if (file_id is None) == (file_no is None):
        raise click.UsageError("give a FILE_ID or --file-no")
    with open_registry(ctx) as registry:
        ids = [file_id] if file_id is not None else registry.find_file_no(str(file_no))
        if not ids:
            raise ScanpipeError(
                f"no file has the number {file_no}",
                advice="register it with 'scanpipe file register --file-no ...'",
            )
        for i in ids:
            log_view(registry, i, "view", login, what="record")
        records = [registry.get_record(i) for i in ids]
    for rec in records:
        _print_record(rec)


def _number(rec: FileRecord) -> str:
    if rec.file_no is None:
        return "–"
    if rec.file_no_norm is None:
        return f"{rec.file_no}  (not valid / अमान्य)"
    same = rec.file_no == rec.file_no_norm
    return rec.file_no if same else f"{rec.file_no}  ({rec.file_no_norm})"


def _print_record(rec: FileRecord) -> None:
    t = Table(show_header=False, title=f"File {rec.id} / नस्ती {rec.id}", title_justify="left")
    review = str(rec.review_year or "–")
    retention = "permanent / स्थायी" if rec.category in ("A", "B") else rec.retention_years
    rows = [
        ("Computer no. / कंप्यूटर क्र.", rec.computer_no),
        ("File no. / फाइल क्र.", _number(rec)),
        ("Subject / विषय", rec.subject),
        ("Nature / प्रकृति", label(Nature(rec.nature))),
        ("Status / स्थिति", label(FileState(rec.file_state))),
        ("Category / श्रेणी", label(Category(rec.category)) if rec.category else None),
        ("Retention / अवधि", f"{retention} years" if isinstance(retention, int) else retention),
        ("Review year / समीक्षा वर्ष", review),
        ("Volume / खंड", rec.volume),
        ("Location / स्थान", rec.location),
        ("Opened / खोली", rec.opened_on),
        ("Closed / बंद", rec.closed_on),
        ("Grading / वर्गीकरण", label(Grading(rec.grading))),
        ("Office / कार्यालय", rec.office),
        ("Section / शाखा", rec.section),
        ("Pages / पृष्ठ", f"{rec.page_count} scanned, {rec.declared_pages or '?'} declared"),
        ("Paper original / मूल नस्ती", rec.original_id),
        ("Scans / स्कैन", ", ".join(map(str, rec.digitised_ids))),
        ("Archive PDF", rec.pdf_path),
    ]
    for name, value in rows:
        if value not in (None, "", "–") or name.startswith(("File no", "Status")):
            t.add_row(name, str(value))
    out.print(t)
    for part in rec.parts:
        out.print(f"[bold]{label(PartKind(part.kind))}[/]: pages {len(part.pages)}")
        for d in part.documents:
            pages = f"{d.pages[0]}-{d.pages[-1]}" if d.pages else "-"
            bits = [label(DocKind(d.kind)), f"pp. {pages}", str(d.doc_date or ""),
                    d.reference_no or "", d.subject or "", d.sender or ""]  # fmt: skip
            out.print("  " + "  ".join(b for b in bits if b))
    pending = [s for s in rec.suggestions if s.status == "review"]
    if pending:
        out.print(f"[yellow]{len(pending)} suggestion(s) to review / समीक्षा हेतु[/]:")
        for s in pending:
            out.print(f"  #{s.id} {s.field}={s.value!r} ({s.confidence:.2f}): {s.reason}")


@file_group.command(name="list")
@click.option("--file-no", help="Only files with this number, in any written form.")
@click.option("--status", type=_choice(FileState), help="Only files in this state.")
@click.option("--category", type=_choice(Category), help="Only files of this record category.")
@click.option("--nature", type=_choice(Nature), help="Only physical, electronic or digitised.")
@click.option("--review-by", type=int, help="Only files due for review by this year.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000),
              help="At most this many files.")  # fmt: skip
@click.pass_context
def list_cmd(ctx: click.Context, limit: int, review_by: int | None, **filters: Any) -> None:
    """List files, newest first (नस्तियों की सूची); tab-separated when piped."""
    with open_registry(ctx) as registry:
        records = registry.list_records(
            file_no=filters["file_no"], state=filters["status"], category=filters["category"],
            nature=filters["nature"], review_by=review_by, limit=limit,
        )  # fmt: skip
    header = ("id", "computer no.", "file no. / फाइल क्र.", "subject / विषय", "nature",
              "status / स्थिति", "category / श्रेणी", "review / समीक्षा", "location / स्थान",
              "pages")  # fmt: skip
    rows = [
        (str(r.id), str(r.computer_no), r.file_no_norm or r.file_no or "–", r.subject or "",
         r.nature, r.file_state, r.category or "", str(r.review_year or ""), r.location,
         str(r.page_count))
        for r in records
    ]  # fmt: skip
    if not out.is_terminal:  # for grep, cut and spreadsheets: whole values, one file a line
        for row in (header, *rows):
            click.echo("\t".join(row))
        return
    t = Table(*header)
    for row in rows:
        t.add_row(*row[:3], row[3][:40], *row[4:])
    out.print(t)


@file_group.command()
@click.argument("file_id", type=int, required=False)
@click.pass_context
def suggestions(ctx: click.Context, file_id: int | None) -> None:
    """Doubtful metadata: the classifier's suggestions waiting for a person (सुझाव)."""
    with open_registry(ctx) as registry:
        queue = registry.review_queue(file_id)
    if not queue:
        out.print("No suggestions wait for a person. / कोई सुझाव लंबित नहीं।")
        return
    t = Table("#", "file", "page", "field", "value", "conf.", "reason")
    for s in queue:
        t.add_row(str(s.id), str(s.file_id), str(s.page_number or ""), s.field, s.value,
                  f"{s.confidence:.2f}", s.reason)  # fmt: skip
    out.print(t)


file_group.add_command(hidden_alias(suggestions, "review", "file suggestions"))


@file_group.command()
@click.argument("suggestion_id", type=int)
@click.option("--value", help="Accept with this corrected value.")
@click.pass_context
def accept(ctx: click.Context, suggestion_id: int, value: str | None) -> None:
    """Accept a suggestion (optionally corrected); its value is applied."""
    with open_registry(ctx) as registry:
        registry.decide(suggestion_id, True, value)
    out.print(f"accepted / स्वीकृत #{suggestion_id}")


@file_group.command()
@click.argument("suggestion_id", type=int)
@click.pass_context
def reject(ctx: click.Context, suggestion_id: int) -> None:
    """Reject a suggestion; nothing changes."""
    with open_registry(ctx) as registry:
        registry.decide(suggestion_id, False)
    out.print(f"rejected / अस्वीकृत #{suggestion_id}")


@file_group.command()
@click.argument("file_id", type=int)
@click.argument("user")
@acting
@click.pass_context
def share(ctx: click.Context, file_id: int, user: str, login: str | None) -> None:
    """Let USER read the file whatever its grading (need to know; by records, admin or holder)."""
    from scanpipe.routing import Routing

    with open_registry(ctx) as registry:
        Routing(registry).share(file_id, user, by=acting_user(login))
    out.print(f"file {file_id} shared with {user} / फ़ाइल साझा की गई")


@file_group.command(name="label")
@click.argument("file_id", type=int)
@click.argument("page", type=int)
@click.argument("kind", type=_choice(DocKind))
@click.pass_context
def label_cmd(ctx: click.Context, file_id: int, page: int, kind: str) -> None:
    """Confirm a page's document kind; confirmed pages train the learned model."""
    with open_registry(ctx) as registry:
        registry.label_page(file_id, page, kind)
    out.print(f"file {file_id} page {page}: {label(DocKind(kind))}")


@file_group.command()
@click.argument("number")
def number(number: str) -> None:
    """Check a file number and show how it is read (फाइल क्रमांक जाँचें)."""
    from scanpipe.eoffice.fileno import parse_file_no
    from scanpipe.registry.nic import nic_folder_name

    n = parse_file_no(number)
    for name, value in [("normalised", n.normalised), ("kind", n.kind.value),
                        ("head", n.head), ("part", n.part_no), ("serial", n.serial),
                        ("sub-file", n.sub_file), ("year", n.year), ("section", n.section),
                        ("NIC folder", nic_folder_name(n))]:  # fmt: skip
        if value is not None:
            out.print(f"{name:>11}: {value}")


@file_group.command()
@click.argument("rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--text", "text_file", type=click.Path(exists=True, path_type=Path),
              help="A page's text: show which rules fire and the kind chosen.")  # fmt: skip
def rules(rules_file: Path, text_file: Path | None) -> None:
    """Check a rules file (TOML or JSON) before putting it in SCANPIPE_HOME/rules.toml."""
    from scanpipe.classify import Classifier, default_rules, load_rules

    ruleset = load_rules(rules_file)
    out.print(f"[green]{len(ruleset.rules)} rules OK[/] in {rules_file.name}")
    if text_file is not None:
        from scanpipe.classify.lexicon import PageText

        classifier = Classifier(default_rules() + ruleset)
        page = PageText(text_file.read_text(encoding="utf-8"))
        vote = classifier.kind(page)
        out.print(f"{label(DocKind(vote.label))} ({vote.confidence:.2f}): {vote.reason}")


COMMANDS: list[click.Command] = [file_group]
