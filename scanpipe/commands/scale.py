"""Scale-out commands: ``scanpipe worker`` (a Celery worker) and ``scanpipe reconcile``.

See docs/scale-out.md: every machine mounts the same ``$SCANPIPE_HOME`` at
the same path, and ``SCANPIPE_BROKER_URL`` names the broker.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time

import click

from scanpipe.commands._shared import check_tools
from scanpipe.errors import ScanpipeError
from scanpipe.settings import Settings, load_settings


def _settings(ctx: click.Context, jobs: int | None = None) -> Settings:
    return load_settings(ctx.obj.get("home") if ctx.obj else None, jobs=jobs)


@click.command()
@click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(1, 64),
    help="Worker processes (pages OCRed at once). Default: SCANPIPE_JOBS or the CPU count.",
)
@click.option("--queue", "-Q", help="Queue to consume. Default: SCANPIPE_CELERY_QUEUE or scanpipe.")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.pass_context
def worker(ctx: click.Context, concurrency: int | None, queue: str | None, loglevel: str) -> None:
    """Start a Celery worker that OCRs page ranges sent by 'convert --executor celery' or 'watch'.

    The worker needs the same SCANPIPE_HOME (shared storage, same path) and
    SCANPIPE_BROKER_URL as the machine that enqueues. It never writes to the
    registry.
    """
    from dataclasses import replace

    from scanpipe.distributed.app import make_app
    from scanpipe.distributed.config import load_celery_settings

    settings = _settings(ctx, concurrency)
    check_tools(settings)  # a worker without Tesseract would fail every page
    cfg = load_celery_settings()
    if queue:
        cfg = replace(cfg, queue=queue)
    if not settings.work_dir.is_dir():
        raise ScanpipeError(
            "the shared work folder does not exist on this machine",
            advice="mount the shared storage at the same path as on the enqueuing machine "
            "(docs/scale-out.md) and set SCANPIPE_HOME",
            path=settings.work_dir,
        )
    # Tesseract's OpenMP threads fight each other when pages already run in parallel.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    app = make_app(cfg, settings.work_dir)
    name = f"scanpipe-{os.getpid()}@{socket.gethostname()}"
    app.worker_main(
        [
            "worker",
            f"--concurrency={settings.jobs}",
            f"--queues={cfg.queue}",
            f"--loglevel={loglevel}",
            f"--hostname={name}",
            "--without-mingle",
            "--without-gossip",
        ]
    )


@click.command()
@click.option("--every", type=float, help="Run forever, every this many seconds.")
@click.pass_context
def reconcile(ctx: click.Context, every: float | None) -> None:
    """Send again every Celery task whose worker's lease ran out (a dead worker or machine)."""
    from scanpipe.distributed.app import make_app
    from scanpipe.distributed.config import load_celery_settings
    from scanpipe.distributed.reconcile import reconcile as run

    settings = _settings(ctx)
    cfg = load_celery_settings()
    app = make_app(cfg)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    while True:
        for item in run(settings.work_dir, cfg, app):
            click.echo(f"re-sent {item.task_id} (attempt {item.attempts}): {item.why}")
        if every is None:
            return
        time.sleep(every)


COMMANDS = (worker, reconcile)
