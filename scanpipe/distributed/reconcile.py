"""The reconciler: send again every task whose worker's lease ran out.

The process that enqueued a task watches its own tasks (``CeleryExecutor``).
This covers the rest: tasks whose enqueuing process died too. Their results
are then collected by the next ``convert`` or ``watch`` run of the same file,
which finds the finished task by its id (sha256 + page range) instead of
running it again. Run it from cron or a systemd timer (docs/scale-out.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from celery import Celery

from scanpipe.distributed.app import TASK_NAME
from scanpipe.distributed.config import CelerySettings
from scanpipe.distributed.taskstore import TASK_ID, TaskFiles, needs_requeue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Requeued:
    task_id: str
    attempts: int
    why: str


def task_files(work_dir: Path) -> list[TaskFiles]:
    """Every task on the storage, finished or not."""
    found = []
    for path in sorted(work_dir.glob("*/tasks/*.task.json")):
        tid = f"{path.parent.parent.name}/{path.name.removesuffix('.task.json')}"
        if TASK_ID.match(tid):
            found.append(TaskFiles(work_dir, tid))
    return found


def reconcile(work_dir: Path, cfg: CelerySettings, app: Celery) -> list[Requeued]:
    """Re-send expired tasks (up to ``max_attempts``); return what was sent."""
    sent = []
    now = time.time()
    for files in task_files(work_dir):
        again, attempts, why = needs_requeue(files, now, cfg.visibility_timeout_s)
        if not again:
            continue
        if attempts >= cfg.max_attempts:
            log.error("task %s lost its worker %d times (%s); leaving it", files.id, attempts, why)
            continue
        files.mark_enqueued(attempts + 1)
        app.send_task(TASK_NAME, args=[files.id], queue=cfg.queue)
        sent.append(Requeued(files.id, attempts + 1, why))
    return sent
