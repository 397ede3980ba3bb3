"""The Celery app and its one task, ``scanpipe.run_range``: run a task file's jobs.

Delivery is at-least-once and the work is idempotent (DESIGN.md §7):

* ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acked only
  after its task returned, and one whose worker process died is re-queued;
* ``worker_prefetch_multiplier = 1``: a worker holds one message per process,
  so a dead worker strands at most that many;
* hard time limit < Redis ``visibility_timeout``: a task is killed before the
  broker would hand its message to a second worker;
* JSON only, ``task_ignore_result``: the message is the task id, the results
  go to shared storage (``taskstore``), the registry is the truth.

A message for a task that is finished (``out.json``) or collected (files gone)
is acked without running anything; a re-delivered task skips items whose
results were written before the crash.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

from scanpipe.distributed.codec import decode, encode, resolve
from scanpipe.distributed.config import CelerySettings
from scanpipe.distributed.taskstore import TaskFiles, read_json, write_json

TASK_NAME = "scanpipe.run_range"
log = logging.getLogger(__name__)


def make_app(cfg: CelerySettings, work_dir: Path | None = None) -> Celery:
    """The app; ``work_dir`` (the shared ``$SCANPIPE_HOME/work``) is needed by workers only."""
    app = Celery("scanpipe", broker=cfg.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=cfg.time_limit_s,
        task_soft_time_limit=cfg.soft_time_limit_s,
        broker_transport_options={"visibility_timeout": cfg.visibility_timeout_s},
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_default_queue=cfg.queue,
        broker_connection_retry_on_startup=True,
    )

    @app.task(name=TASK_NAME)
    def run_range(task_id: str) -> str:
        if work_dir is None:
            raise RuntimeError("this app was made without a work folder; it cannot run tasks")
        return run_task(TaskFiles(work_dir, task_id), cfg)

    return app


def run_task(files: TaskFiles, cfg: CelerySettings) -> str:
    """Run one task's remaining items; say what happened ("gone", "done" or "ran")."""
    task = files.read_task()
    if task is None:
        log.info("task %s: collected already; nothing to do", files.id)
        return "gone"
    if files.out.exists():
        log.info("task %s: finished already (a repeated delivery)", files.id)
        return "done"
    files.take_lease(cfg.lease_s)
    allowed = cfg.task_modules
    results = []
    try:
        fn = resolve(task["fn"], allowed)
        for index, raw in enumerate(task["items"]):
            cached = read_json(files.item(index))
            if cached is not None:
                results.append(decode(cached["result"], allowed))
                continue
            result = fn(decode(raw, allowed))
            write_json(files.item(index), {"result": encode(result)})
            results.append(result)
            files.take_lease(cfg.lease_s)
        files.write_out(results)
    except FileNotFoundError:
        if files.task.exists():
            raise
        log.info("task %s: collected by another run while this one ran", files.id)
        return "gone"
    except SoftTimeLimitExceeded:
        files.write_out(None, error=f"the task ran past its time limit of {cfg.time_limit_s} s")
    except Exception as exc:  # recorded for the enqueuing process, which raises it there
        log.exception("task %s failed", files.id)
        files.write_out(None, error=f"{type(exc).__name__}: {exc} (on pid {os.getpid()})")
    return "ran"
