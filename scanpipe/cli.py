"""The command line: arguments -> Settings -> one library call -> printed result.

All errors are translated to messages and exit codes in ``main`` and nowhere
else; commands raise ScanpipeError and never call sys.exit themselves.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from scanpipe.commands import attach_all
from scanpipe.commands._shared import check_tools, settings_of
from scanpipe.errors import ExitCode, ScanpipeError, SearchQueryError
from scanpipe.settings import load_settings

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class PagesPerMinute(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed * 60:5.1f} pages/min" if speed else "  –  pages/min", style="cyan")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SCANPIPE_HOME",
    help="Data folder (registry, archive, work). Default: ./scanpipe-data",
)
@click.version_option(package_name="scanpipe")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """scanpipe: scan, OCR (Hindi + English), archive and register legacy paper files."""
    _restrict_new_files()
    ctx.obj = {"home": home, "settings": load_settings(home)}


DEFAULT_UMASK = "027"


def _restrict_new_files() -> None:
    """Everything scanpipe creates is closed to other accounts: umask 027 (docs/access.md).

    The registry holds password hashes and every page's text, the archive the
    files themselves. Group read is left for a service group (the watcher, the
    web server and backup share one); ``SCANPIPE_UMASK=077`` closes that too.
    """
    value = os.environ.get("SCANPIPE_UMASK", DEFAULT_UMASK)
    try:
        mask = int(value, 8)
    except ValueError:
        raise click.BadParameter(
            f"SCANPIPE_UMASK={value!r} is not an octal mask such as 027 or 077"
        ) from None
    os.umask(mask | 0o007)  # never anything for other accounts, whatever is asked


@cli.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check Tesseract, language models, poppler, Ghostscript, fonts and the data folder."""
    from scanpipe.doctor import run_checks

    checks = run_checks(settings_of(ctx))
    table = Table("check", "status", "detail", "fix")
    for c in checks:
        table.add_row(c.name, "[green]ok[/]" if c.ok else "[red]PROBLEM[/]", c.detail, c.fix)
    out.print(table)
    problems = [c for c in checks if not c.ok]
    if problems:
        raise ScanpipeError(f"{len(problems)} problem(s) found", advice="apply the fixes above")
    out.print("[green]All checks passed.[/]")


def _page_json(p) -> dict[str, object]:
    return {
        "number": p.number,
        "skew_deg": p.skew_deg,
        "orientation_deg": p.orientation_deg,
        "confidence": p.confidence,
        "status": p.status.value,
        "reason": p.reason or None,
        "missing": p.missing if p.missing >= 0 else None,
        "reading": p.reading or None,
        "attempts": p.attempts,
        "text_source": p.text_source,
        "source_note": p.source_note or None,
    }


def _outcome_json(o) -> str:
    return json.dumps(
        {
            "source": str(o.source),
            "file_id": o.file_id,
            "sha256": o.sha256,
            "status": o.outcome.value,
            "pages": [_page_json(p) for p in o.pages],
            "error": o.error.render() if o.error else None,
        },
        ensure_ascii=False,
    )


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    help="Pages OCRed in parallel (default: number of CPU cores).",
)
@click.option("--langs", help="Tesseract languages, e.g. Devanagari or hin+eng.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per file.")
@click.option(
    "--force-ocr",
    is_flag=True,
    help="Rasterise and OCR every PDF page, even one whose own text layer passes the checks.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "celery"]),
    default="local",
    show_default=True,
    help="Where pages are OCRed: this machine's processes, or Celery workers "
    "('scanpipe worker'; docs/scale-out.md).",
)
@click.pass_context
def convert(
    ctx: click.Context,
    paths: Sequence[Path],
    jobs: int | None,
    langs: str | None,
    as_json: bool,
    force_ocr: bool,
    executor: str,
) -> None:
    """Convert scanned PDFs, TIFFs, images or folders of page images into registered files.

    A folder is one file whose pages are its images in natural order. Running
    again on the same input registers nothing new; an interrupted run resumes.
    """
    from scanpipe.executors import make_executor
    from scanpipe.pipeline import Outcome, count_pages
    from scanpipe.pipeline import convert as run_convert
    from scanpipe.registry.store import Registry

    settings = load_settings(ctx.obj["home"], jobs=jobs, langs=langs)
    if force_ocr:
        settings = settings.with_ocr(text_layer=False)
    check_tools(settings)
    started = time.perf_counter()
    counts = {o: 0 for o in Outcome}
    pages = review = 0
    failures: list[ScanpipeError] = []
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        PagesPerMinute(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=as_json,
    )
    pool = make_executor(executor, settings)
    try:
        with (
            progress,
            Registry.open(
                settings.db_url, settings.archive_dir, hold_classified=settings.hold_classified
            ) as registry,
        ):
            task = progress.add_task("pages", total=count_pages(paths, settings.ocr.max_pixels))
            for o in run_convert(
                paths, settings, registry, pool, on_page=lambda _r: progress.advance(task)
            ):
                counts[o.outcome] += 1
                pages += len(o.pages)
                review += o.pages_for_review
                if as_json:
                    click.echo(_outcome_json(o))
                elif o.outcome is Outcome.REGISTERED:
                    progress.console.print(
                        f"[green]registered[/] file {o.file_id}: {o.source} "
                        f"({len(o.pages)} pages, {o.pages_for_review} for review)"
                    )
                elif o.outcome is Outcome.DUPLICATE:
                    progress.console.print(
                        f"[yellow]already registered[/] as file {o.file_id}: {o.source}"
                    )
                if o.error:
                    failures.append(o.error)
                    err.print(f"[red]failed[/]: {o.error.render()}")
    except KeyboardInterrupt:
        pool.close(cancel=True)
        err.print(
            "[yellow]Interrupted.[/] Finished pages are kept; run the same command to resume."
        )
        sys.exit(ExitCode.INTERRUPTED)
    pool.close()
    elapsed = time.perf_counter() - started
    if not as_json:
        rate = pages / elapsed * 60 if elapsed else 0.0
        err.print(
            f"\n[bold]Summary[/]: {counts[Outcome.REGISTERED]} files registered, "
            f"{counts[Outcome.DUPLICATE]} already registered, {counts[Outcome.FAILED]} failed; "
            f"{pages} pages, {review} for review; {elapsed:.1f} s ({rate:.1f} pages/min)"
        )
    if failures:
        only_failed = not (counts[Outcome.REGISTERED] or counts[Outcome.DUPLICATE])
        same = all(f.exit_code == failures[0].exit_code for f in failures)
        raise _Quiet(failures[0].exit_code if only_failed and same else ExitCode.PARTIAL)


class _Quiet(Exception):
    """Exit with a code after the messages were already printed."""

    def __init__(self, code: int) -> None:
        self.code = code


attach_all(cli)


def main(argv: Sequence[str] | None = None) -> None:
    """The one place where errors become messages and exit codes."""
    try:
        cli.main(args=argv, prog_name="scanpipe", standalone_mode=False)
    except _Quiet as exc:
        sys.exit(exc.code)
    except click.exceptions.Abort:
        err.print("Aborted.")
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.BAD_ARGS)
    except SearchQueryError as exc:
        err.print(f"[red]Search error:[/] {exc.render()}")
        sys.exit(exc.exit_code)
    except ScanpipeError as exc:
        err.print(f"[red]Error:[/] {exc.render()}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)
    except Exception:  # a bug: show it, say so, and use the internal-error code
        err.print_exception()
        err.print(
            "[red]Internal error[/]: this is a bug in scanpipe; please report it with the "
            "output above."
        )
        sys.exit(ExitCode.INTERNAL)
