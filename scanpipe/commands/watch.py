"""Hot folders: ``scanpipe watch``, ``scanpipe intake ...`` and ``scanpipe status``.

See docs/hot-folders.md for the protocol and the settings file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from scanpipe.commands._shared import acting, acting_user, check_tools, hidden_alias
from scanpipe.errors import ExitCode, ScanpipeError
from scanpipe.settings import InboxSettings, Settings, load_settings

if TYPE_CHECKING:
    from scanpipe.registry.store import Registry

out = Console(highlight=False)

config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (TOML). Default: $SCANPIPE_CONFIG or $SCANPIPE_HOME/scanpipe.toml.",
)


def _load(ctx: click.Context, config: Path | None, jobs: int | None = None) -> Settings:
    return load_settings(ctx.obj.get("home") if ctx.obj else None, jobs=jobs, config=config)


def _inboxes(settings: Settings, paths: Sequence[Path], declared: dict[str, str]) -> Settings:
    """Inboxes from flags (with the file's defaults for any it also lists), else the file's."""
    known = {i.path.resolve(): i for i in settings.watch.inboxes}
    if paths:
        chosen = []
        for path in paths:
            base = known.get(path.resolve()) or InboxSettings(path=path.absolute())
            chosen.append(dataclasses.replace(base, **declared))
        inboxes = tuple({i.path.resolve(): i for i in chosen}.values())
    else:
        inboxes = tuple(dataclasses.replace(i, **declared) for i in settings.watch.inboxes)
    if not inboxes:
        raise ScanpipeError(
            "no inbox to watch",
            advice="give --inbox DIR, or list [[inbox]] tables in the settings file "
            "(docs/hot-folders.md)",
        )
    for inbox in inboxes:
        if not inbox.path.is_dir():
            raise ScanpipeError(
                "the inbox is not a folder (or is not mounted yet)",
                advice="create it, mount the share, or fix the path",
                path=inbox.path,
            )
    return settings.with_watch(inboxes=inboxes)


@contextmanager
def _runner(settings: Settings, executor: str = "local") -> Iterator[object]:
    from scanpipe.executors import make_executor
    from scanpipe.hotfolder.journal import Journal
    from scanpipe.hotfolder.runner import Runner
    from scanpipe.registry.store import Registry

    with Registry.open(
        settings.db_url, settings.archive_dir, hold_classified=settings.hold_classified
    ) as registry:
        runner = Runner(
            settings, registry, lambda: make_executor(executor, settings), Journal(settings.home)
        )
        try:
            yield runner
        finally:
            runner.close()


def _setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
        force=True,
    )
    for noisy in ("alembic", "sqlalchemy", "watchdog"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@click.command()
@click.option(
    "--inbox",
    "inboxes",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A hot folder to watch (repeatable). Default: the settings file's inboxes.",
)
@click.option("--once", is_flag=True, help="Process what is there, then exit (for cron).")
@click.option("--poll", is_flag=True, help="Poll instead of using file-system events.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Pages OCRed in parallel.")
@click.option("--office", help="Declared office for files from these inboxes.")
@click.option("--section", help="Declared section.")
@click.option("--operator", help="Declared scanning operator.")
@click.option("--part", help="Declared part (notes, correspondence, ...).")
@click.option("--langs", help="OCR languages for these inboxes, e.g. Devanagari or eng.")
@click.option(
    "--executor",
    type=click.Choice(["local", "celery"]),
    default="local",
    show_default=True,
    help="OCR pages here, or on Celery workers (docs/scale-out.md).",
)
@config_option
@click.pass_context
def watch(
    ctx: click.Context,
    inboxes: Sequence[Path],
    once: bool,
    poll: bool,
    jobs: int | None,
    executor: str,
    config: Path | None,
    **declared: str | None,
) -> None:
    """Watch hot folders: every dropped file or batch folder becomes a registered file.

    A sub-folder is one batch (one legacy file); it is complete when a READY or
    .done file appears in it, or after batch_idle_s without changes.
    Failures go to the intake queue ('scanpipe intake list').
    """
    from scanpipe.hotfolder.journal import Journal
    from scanpipe.hotfolder.watch import Watcher

    settings = _load(ctx, config, jobs)
    settings = _inboxes(settings, inboxes, {k: v for k, v in declared.items() if v})
    check_tools(settings)
    _setup_logging()
    signal.signal(signal.SIGTERM, _interrupt)
    with _runner(settings, executor) as runner:
        watcher = Watcher(settings, runner, Journal(settings.home), force_poll=poll)  # type: ignore[arg-type]
        try:
            watcher.run(once=once)
        except KeyboardInterrupt:
            logging.getLogger("scanpipe.watch").info(
                "stopping; a job in progress is kept in work/claims and resumes at the next start"
            )
            return
    failed = watcher.outcomes["failed"]
    if once and watcher.gate.paused:
        raise _OnceError(
            ExitCode.OUT_OF_SPACE,
            "intake is paused: the disk is (nearly) full",
            "free space in the data folder; waiting drops are taken next time",
        )
    if once and failed:
        raise _OnceError(ExitCode.PARTIAL, f"{failed} drop(s) failed", "see 'scanpipe intake list'")


class _OnceError(ScanpipeError):
    """``watch --once`` tells cron that something needs a person, by its exit code."""

    def __init__(self, code: ExitCode, message: str, advice: str) -> None:
        self.exit_code = code
        super().__init__(message, advice=advice)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


# -- intake ------------------------------------------------------------------------------------


@click.group()
def intake() -> None:
    """The intake queue: failed, duplicate and flagged drops from the hot folders."""


@contextmanager
def _audited(settings: Settings) -> Iterator[Registry]:
    """The registry that intake decisions are audited in (``hotfolder.review`` writes it)."""
    from scanpipe.registry.store import Registry

    with Registry.open(
        settings.db_url, settings.archive_dir, hold_classified=settings.hold_classified
    ) as registry:
        yield registry


@intake.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per item.")
@click.pass_context
def intake_list(ctx: click.Context, as_json: bool) -> None:
    """Open items: job, kind, original file name, inbox, reason and time."""
    from scanpipe.hotfolder.review import items

    found = items(_load(ctx, None).home)
    if as_json:
        for item in found:
            click.echo(json.dumps({"job": item.job, **item.reason}, ensure_ascii=False))
        return
    if not found:
        out.print("The intake queue is empty.")
        return
    table = Table("job", "kind", "original name", "inbox", "reason", "time")
    for item in found:
        r = item.reason
        table.add_row(
            item.job,
            item.kind,
            item.original_name,
            str(r.get("inbox", "")),
            item.summary,
            str(r.get("time", ""))[:19],
        )
    out.print(table)


@intake.command(name="show")
@click.argument("job")
@click.pass_context
def intake_show(ctx: click.Context, job: str) -> None:
    """Everything recorded about one item, and what its folder holds."""
    from scanpipe.hotfolder.review import find

    item = find(_load(ctx, None).home, job)
    out.print(f"[bold]{item.job}[/] ({item.kind})  {item.dir}")
    for key, value in item.reason.items():
        if key != "stderr_tail" and value not in (None, "", []):
            out.print(f"  {key}: {value}")
    if item.reason.get("stderr_tail"):
        out.print("  stderr tail:")
        out.print(item.reason["stderr_tail"], markup=False)
    if item.payload.exists():
        names = sorted(p.name for p in item.payload.iterdir())
        out.print(f"  payload: {', '.join(names) or '(empty)'}")


@intake.command(name="retry")
@click.argument("job")
@click.option(
    "--rotate",
    type=click.Choice(["0", "90", "180", "270"]),
    help="Force this quarter turn instead of detecting orientation.",
)
@click.option("--lang", "langs", help="OCR languages, e.g. hin+eng or eng.")
@click.option("--dpi", type=click.IntRange(72, 1200), help="Rendering resolution for PDFs.")
@config_option
@acting
@click.pass_context
def intake_retry(
    ctx: click.Context,
    job: str,
    rotate: str | None,
    langs: str | None,
    dpi: int | None,
    config: Path | None,
    login: str | None,
) -> None:
    """Convert a failed job again, here and now, optionally with other settings."""
    from scanpipe.hotfolder.review import ocr_overrides, requeue

    settings = _load(ctx, config)
    ocr = ocr_overrides(int(rotate) if rotate is not None else None, langs, dpi)
    check_tools(settings.with_ocr(**ocr))
    _setup_logging()
    with _audited(settings) as registry:
        claimed = requeue(settings, job, ocr, by=acting_user(login), registry=registry)
    with _runner(settings) as runner:
        result = runner.run(claimed)  # type: ignore[attr-defined]
    if result.outcome == "done":
        out.print(
            f"[green]registered[/] {claimed.original_name} as file "
            f"{', '.join(map(str, result.file_ids))} ({result.pages} pages)"
        )
    elif result.outcome == "duplicate":
        out.print(f"[yellow]duplicate[/]: already registered as file {list(result.file_ids)}")
    elif result.outcome == "retry":
        out.print(f"[yellow]will be retried by the watcher[/]: {result.reason}")
    else:
        raise ScanpipeError(
            f"job {job} failed again: {result.reason}", advice=f"see 'scanpipe intake show {job}'"
        )


@intake.command(name="accept")
@click.argument("job")
@acting
@click.pass_context
def intake_accept(ctx: click.Context, job: str, login: str | None) -> None:
    """Close a duplicate (its copy is deleted) or a flagged file (it is fine as registered)."""
    from scanpipe.hotfolder.review import accept

    settings = _load(ctx, None)
    with _audited(settings) as registry:
        out.print(accept(settings.home, job, by=acting_user(login), registry=registry))


@intake.command(name="reject")
@click.argument("job")
@click.option("--note", default="", help="Why, for the record.")
@acting
@click.pass_context
def intake_reject(ctx: click.Context, job: str, note: str, login: str | None) -> None:
    """Close an item without registering it; the original is kept in reviewed/."""
    from scanpipe.hotfolder.review import reject

    settings = _load(ctx, None)
    with _audited(settings) as registry:
        out.print(reject(settings.home, job, note, by=acting_user(login), registry=registry))


# -- status ------------------------------------------------------------------------------------


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@config_option
@click.pass_context
def status(ctx: click.Context, as_json: bool, config: Path | None) -> None:
    """Queue depth, files in progress, failures and pages per minute today."""
    from scanpipe.hotfolder.status import collect

    figures = collect(_load(ctx, config))
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False))
        return
    waiting = figures.pop("waiting_for_writer")
    for key, value in figures.items():
        out.print(f"{key.replace('_', ' '):>22}: {value}")
    for item in waiting:
        until = time.strftime("%H:%M", time.localtime(item["until"]))
        out.print(f"waiting / प्रतीक्षा: {item['name']}: {item['reason']} until {until}")


COMMANDS: list[click.Command] = [
    watch,
    intake,
    hidden_alias(intake, "review", "intake"),
    status,
]
